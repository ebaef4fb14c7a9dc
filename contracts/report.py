"""Failure reports and run reports: text for people, JSON and JUnit XML for machines."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from contracts.budget import AdminBudget
from contracts.failures import ContractFailure


@dataclass
class Outcome:
    name: str
    summary: str
    status: str  # "pass", "fail", "error", or "stopped" (the Admin budget ran out before any example)
    seconds: float
    examples: int
    requests: int
    failure: ContractFailure | None = None
    admin_calls: int = 0  # of ``requests``, those made to the rate-limited Admin API
    stopped: str = ""  # why it stopped before its last example, if it did


@dataclass
class RunReport:
    target: str
    seed: int
    read_only: bool
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    cleanup: str = ""
    budget: AdminBudget | None = None

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("fail", "error")]

    @property
    def stopped(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "stopped"]

    @property
    def rate_limited(self) -> str:
        """The target's 420/429, if one cut the run short (the run is then incomplete: exit status 2)."""
        return self.budget.target.refused if self.budget is not None else ""


# -- whole runs ----------------------------------------------------------------------------------------------

def outcome_line(outcome: Outcome) -> str:
    mark = {"pass": "PASS", "fail": "FAIL", "error": "ERROR", "stopped": "STOP"}[outcome.status]
    line = (f"{mark:<5} {outcome.name:<24} {outcome.seconds:7.2f} s  {outcome.examples:4d} examples "
            f"{outcome.requests:5d} requests {outcome.admin_calls:4d} Admin")
    return line + (f"  (stopped early: {outcome.stopped})" if outcome.stopped else "")


def budget_line(report: RunReport) -> str:
    """Admin calls spent (clean-up included) against the kit's cap and what the target says is left."""
    budget = report.budget
    if budget is None:
        return ""
    cap = f" of --max-admin-calls {budget.max_calls}" if budget.max_calls is not None else " (no cap)"
    target = budget.target
    left = f"; the target has {target.remaining} of {target.limit} left this hour" if target.remaining is not None \
        and target.limit is not None else ""
    reset = f", resetting at {target.reset}" if target.reset and left else ""
    limited = f"; the target's rate limit cut the run short ({target.refused})" if target.refused else ""
    return f"Admin API calls: {budget.spent}{cap}{left}{reset}{limited}"


def render_run(report: RunReport) -> str:
    out = []
    for outcome in report.failed:
        if outcome.failure is not None:
            out += ["", str(outcome.failure)]
    passed = len(report.outcomes) - len(report.failed) - len(report.stopped)
    out += ["", f"target {report.target}, seed {report.seed}{', read-only' if report.read_only else ''}, "
                f"{report.seconds:.1f} s" + (f"; {report.cleanup}" if report.cleanup else "")]
    out += [line for line in (budget_line(report),) if line]
    stopped = f", {len(report.stopped)} not run (Admin budget)" if report.stopped else ""
    out.append(f"cloudinary-contracts: {passed} passed, {len(report.failed)} failed{stopped}")
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
        "passed": len(report.outcomes) - len(report.failed) - len(report.stopped), "failed": len(report.failed),
        "cleanup": report.cleanup, "stopped": len(report.stopped), "admin": _budget_dict(report.budget),
        "properties": [{"name": o.name, "summary": o.summary, "status": o.status, "seconds": round(o.seconds, 3),
                        "examples": o.examples, "requests": o.requests, "admin_calls": o.admin_calls,
                        "stopped": o.stopped,
                        "failure": failure_dict(o.failure) if o.failure else None} for o in report.outcomes],
    }, indent=2, ensure_ascii=False)


def _budget_dict(budget: AdminBudget | None) -> dict[str, Any] | None:
    if budget is None:
        return None
    t = budget.target
    return {"spent": budget.spent, "max_admin_calls": budget.max_calls, "target_limit": t.limit,
            "target_remaining": t.remaining, "target_reset": t.reset, "rate_limited": t.refused}


def to_junit(report: RunReport) -> str:
    suite = ET.Element("testsuite", name="cloudinary-contracts", tests=str(len(report.outcomes)),
                       failures=str(sum(o.status == "fail" for o in report.outcomes)),
                       errors=str(sum(o.status == "error" for o in report.outcomes)), time=f"{report.seconds:.3f}")
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="target", value=report.target)
    ET.SubElement(props, "property", name="seed", value=str(report.seed))
    for outcome in report.outcomes:
        case = ET.SubElement(suite, "testcase", classname="contracts", name=outcome.name, time=f"{outcome.seconds:.3f}")
        if outcome.status == "stopped":
            ET.SubElement(case, "skipped", message=outcome.stopped[:500])
        if outcome.failure is not None:
            tag = "failure" if outcome.status == "fail" else "error"
            node = ET.SubElement(case, tag, message=outcome.failure.message[:500], type=outcome.failure.kind)
            node.text = str(outcome.failure)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)

