"""Failure reports and run reports: text for people, JSON and JUnit XML for machines."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

if TYPE_CHECKING:
    from contracts.failures import ContractFailure

_BODY_LIMIT = 1500
_INLINE_FILE_LIMIT = 600  # bytes of a file shown inline (base64) in a report


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


def _indent(label: str, text: str) -> str:
    lines = str(text).splitlines() or [""]
    head = f"    {label + ':':<10} {lines[0]}"
    return "\n".join([head, *(" " * 15 + line for line in lines[1:])])


def _short_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 600 else text[:600] + "…"


def render_failure(failure: ContractFailure) -> str:
    ctx = failure.context
    title = f"{ctx.property}: " if ctx.property else ""
    out = [f"✗ {title}{failure.message}"]
    kind = failure.kind + (f" (reference {failure.reference})" if failure.reference else "")
    out.append(_indent("kind", kind))
    if failure.schema_path:
        out.append(_indent("schema", f"{failure.schema_path}  at {failure.instance_path or '$'}"))
    if failure.expected is not None or failure.actual is not None:
        out.append(_indent("expected", _short_json(failure.expected)))
        out.append(_indent("actual", _short_json(failure.actual)))
    if ctx.minimal_input:
        out.append(_indent("input", ctx.minimal_input))
    if failure.exchange is not None:
        out += _exchange_lines(failure)
    if ctx.seed is not None:
        out.append(_indent("seed", f"{ctx.seed}   replay: {ctx.replay}" if ctx.replay else str(ctx.seed)))
    return "\n".join(out)


def _exchange_lines(failure: ContractFailure) -> list[str]:
    exchange = failure.exchange
    assert exchange is not None
    out = [_indent("request", exchange.curl())]
    for part in exchange.request.files:
        if len(part.data) <= _INLINE_FILE_LIMIT:
            b64 = base64.b64encode(part.data).decode("ascii")
            out.append(_indent("file", f"{part.filename} ({len(part.data)} bytes): "
                                       f"printf %s '{b64}' | base64 -d > {part.filename}"))
        else:
            out.append(_indent("file", f"{part.filename}: {len(part.data)} bytes (base64 in the JSON report; the "
                                       f"input above regenerates it)"))
    response = exchange.response
    text = response.text
    shown = text if len(text) <= _BODY_LIMIT else text[:_BODY_LIMIT] + f"… ({len(text)} characters)"
    out.append(_indent("response", f"HTTP {response.status}, {response.header('Content-Type') or 'no type'}\n{shown}"))
    return out


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
                            "reference": failure.reference, "schema_path": failure.schema_path,
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

