"""Typed failures, and how one reads. Each carries what a reader needs: the rule and where it is documented,
the request as a ``curl`` line, the response, the schema path, and (added by the runner) the property, the
minimal input Hypothesis shrank to and the seed.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from contracts.transport import Exchange

_BODY_LIMIT = 1500
_INLINE_FILE_LIMIT = 600  # bytes of a file shown inline (base64) in a report


@dataclass
class Context:
    """Filled in by the runner once Hypothesis has shrunk the failure."""

    property: str = ""
    minimal_input: str = ""
    seed: int | None = None
    replay: str = ""


class ContractFailure(AssertionError):
    """The target answered in a way the contract forbids."""

    kind = "contract"

    def __init__(self, message: str, *, exchange: Exchange | None = None, schema_path: str = "",
                 instance_path: str = "", expected: Any = None, actual: Any = None,
                 docs: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.exchange = exchange
        self.schema_path = schema_path
        self.instance_path = instance_path
        self.expected = expected
        self.actual = actual
        self.docs = docs  # where the rule is documented
        self.context = Context()

    def __str__(self) -> str:
        return render_failure(self)


class SchemaViolation(ContractFailure):
    kind = "schema"


class UnexpectedStatus(ContractFailure):
    kind = "status"


class NotJsonBody(ContractFailure):
    kind = "not-json"


class HeaderFailure(ContractFailure):
    kind = "header"


class SignatureFailure(ContractFailure):
    kind = "signature"


class LawViolation(ContractFailure):
    """A relation between answers (threshold law, determinism, round trip, ...) does not hold."""

    kind = "law"


@dataclass
class Notes:
    """Hypothesis' own notes on the final exception: the minimal example (or state-machine steps)."""

    lines: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, exc: BaseException) -> Notes:
        notes = [str(n).strip() for n in getattr(exc, "__notes__", [])]
        return cls([n for n in notes if n and not n.startswith("You can reproduce")])

    def minimal_input(self) -> str:
        return "\n".join(self.lines)


# -- rendering one failure ----------------------------------------------------------------------------------

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
    kind = failure.kind + (f" (see {failure.docs})" if failure.docs else "")
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
