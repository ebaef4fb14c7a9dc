"""Typed failures. Each carries what a reader needs: the rule, the request as a ``curl`` line, the response,
the schema path, and (added by the runner) the property, the minimal input Hypothesis shrank to and the seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contracts.transport import Exchange


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
                 reference: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.exchange = exchange
        self.schema_path = schema_path
        self.instance_path = instance_path
        self.expected = expected
        self.actual = actual
        self.reference = reference
        self.context = Context()

    def __str__(self) -> str:
        from contracts.report import render_failure

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
