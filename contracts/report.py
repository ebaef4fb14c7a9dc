"""Failure reports and run reports: text for people, JSON and JUnit XML for machines."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from contracts.failures import ContractFailure


@dataclass
class Outcome:
    name: str
    summary: str
    status: str  # "pass", "fail" or "error"
    seconds: float
    examples: int
    requests: int
    failure: ContractFailure | None = None


@dataclass
class RunReport:
    target: str
    seed: int
    read_only: bool
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    cleanup: str = ""

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status != "pass"]


# -- whole runs ----------------------------------------------------------------------------------------------

def outcome_line(outcome: Outcome) -> str:
    mark = {"pass": "PASS", "fail": "FAIL", "error": "ERROR"}[outcome.status]
    return (f"{mark:<5} {outcome.name:<24} {outcome.seconds:7.2f} s  {outcome.examples:4d} examples "
            f"{outcome.requests:5d} requests")


def render_run(report: RunReport) -> str:
    out = []
    for outcome in report.failed:
        if outcome.failure is not None:
            out += ["", str(outcome.failure)]
    passed = len(report.outcomes) - len(report.failed)
    out += ["", f"target {report.target}, seed {report.seed}{', read-only' if report.read_only else ''}, "
                f"{report.seconds:.1f} s" + (f"; {report.cleanup}" if report.cleanup else ""),
            f"cloudinary-contracts: {passed} passed, {len(report.failed)} failed"]
    return "\n".join(out)


def failure_dict(failure: ContractFailure) -> dict[str, Any]:
    ctx = failure.context
    data: dict[str, Any] = {"property": ctx.property, "kind": failure.kind, "message": failure.message,
                            "docs": failure.docs, "schema_path": failure.schema_path,
                            "instance_path": failure.instance_path, "expected": failure.expected,
                            "actual": failure.actual, "minimal_input": ctx.minimal_input, "seed": ctx.seed,
                            "replay": ctx.replay}
    if failure.exchange is not None:
        response = failure.exchange.response
        data["curl"] = failure.exchange.curl()
        data["files"] = [{"name": p.name, "filename": p.filename, "content_type": p.content_type,
                          "base64": base64.b64encode(p.data).decode("ascii")} for p in failure.exchange.request.files]
        data["response"] = {"status": response.status, "headers": dict(response.headers), "body": response.text}
    return json.loads(json.dumps(data, default=repr))  # type: ignore[no-any-return]


def to_json(report: RunReport) -> str:
    return json.dumps({
        "target": report.target, "seed": report.seed, "read_only": report.read_only, "seconds": report.seconds,
        "passed": len(report.outcomes) - len(report.failed), "failed": len(report.failed),
        "cleanup": report.cleanup,
        "properties": [{"name": o.name, "summary": o.summary, "status": o.status, "seconds": round(o.seconds, 3),
                        "examples": o.examples, "requests": o.requests,
                        "failure": failure_dict(o.failure) if o.failure else None} for o in report.outcomes],
    }, indent=2, ensure_ascii=False)


def to_junit(report: RunReport) -> str:
    suite = ET.Element("testsuite", name="cloudinary-contracts", tests=str(len(report.outcomes)),
                       failures=str(sum(o.status == "fail" for o in report.outcomes)),
                       errors=str(sum(o.status == "error" for o in report.outcomes)), time=f"{report.seconds:.3f}")
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="target", value=report.target)
    ET.SubElement(props, "property", name="seed", value=str(report.seed))
    for outcome in report.outcomes:
        case = ET.SubElement(suite, "testcase", classname="contracts", name=outcome.name, time=f"{outcome.seconds:.3f}")
        if outcome.failure is not None:
            tag = "failure" if outcome.status == "fail" else "error"
            node = ET.SubElement(case, tag, message=outcome.failure.message[:500], type=outcome.failure.kind)
            node.text = str(outcome.failure)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)

