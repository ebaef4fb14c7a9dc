"""Structured metadata: a value is accepted exactly when its field's rules allow it
(https://cloudinary.com/documentation/admin_api#metadata_fields)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from contracts import checks
from contracts.budget import BudgetSpent
from contracts.kit import Kit
from contracts.properties import prop
from contracts.strategies import TINY_PNG

# -- structured metadata ---------------------------------------------------------------------------------------

LOW, HIGH = 10, 20  # the integer field accepts LOW ≤ n < HIGH
SHORTEST, LONGEST = 2, 5  # the string field accepts 2 to 5 characters
CHOICES = ("red", "green", "blue")  # the enum field's datasource external ids


@dataclass(frozen=True)
class Fields:
    """The run's three metadata fields, by external id."""

    integer: str
    string: str
    choice: str


def _definitions(fields: Fields) -> list[dict[str, Any]]:
    bounds = {"type": "and", "rules": [{"type": "greater_than", "value": LOW, "equals": True},
                                       {"type": "less_than", "value": HIGH, "equals": False}]}
    return [
        {"type": "integer", "external_id": fields.integer, "label": fields.integer, "validation": bounds},
        {"type": "string", "external_id": fields.string, "label": fields.string,
         "validation": {"type": "strlen", "min": SHORTEST, "max": LONGEST}},
        {"type": "enum", "external_id": fields.choice, "label": fields.choice,
         "datasource": {"values": [{"external_id": c, "value": c.capitalize()} for c in CHOICES]}},
    ]


@contextmanager
def metadata_fields(kit: Kit) -> Iterator[Fields]:
    """Create the run's fields, and delete them afterwards whatever happened (from the clean-up reserve)."""
    c = kit.client
    stem = kit.run_tag
    fields = Fields(f"{stem}_int", f"{stem}_str", f"{stem}_enum")
    created: list[str] = []
    try:
        for body in _definitions(fields):
            exchange = c.admin("POST", "metadata_fields", json_body=body, schema="metadata-field")
            checks.status(exchange, 200, why=f"creating the metadata field {body['external_id']}")
            created.append(body["external_id"])
        yield fields
    finally:
        with c.budget.tidying():
            for external_id in created:
                with suppress(BudgetSpent):
                    c.send(c.admin_request("DELETE", f"metadata_fields/{external_id}"))


@dataclass(frozen=True)
class Value:
    field: str  # "integer", "string" or "choice"
    text: str


def accepts(value: Value) -> bool:
    """What the field's rules allow: the oracle the target is checked against."""
    if value.field == "integer":
        text = value.text.strip()
        digits = text[1:] if text[:1] in "+-" else text
        return digits.isascii() and digits.isdigit() and LOW <= int(text) < HIGH
    if value.field == "string":
        return SHORTEST <= len(value.text) <= LONGEST
    return value.text in CHOICES


values = st.one_of(
    st.builds(Value, st.just("integer"), st.integers(LOW - 3, HIGH + 3).map(str)),
    st.builds(Value, st.just("integer"), st.sampled_from(["12.5", "abc", "1e1", "0x10", "١٢"])),
    st.builds(Value, st.just("string"), st.text("abcdéü日", min_size=1, max_size=LONGEST + 2)),
    st.builds(Value, st.just("choice"), st.sampled_from([*CHOICES, "Red", "purple", "re"])),
)


# An empty value removes a field's value rather than setting one, so none is generated.


def _escaped(text: str) -> str:
    return text.replace("=", "\\=").replace("|", "\\|")


@prop("metadata_validation", "an upload's structured metadata is accepted exactly when its field's rules allow "
      "the value (integer bounds with and without equality, string length, enum values); the run's fields are "
      "created and deleted again", admin=7)
def metadata_validation(kit: Kit) -> None:
    share = kit.client.budget.share
    if share is not None and share < 3:
        raise BudgetSpent(f"its share of the Admin budget ({share}) cannot create its 3 metadata fields")
    with metadata_fields(kit) as fields:
        ids = {"integer": fields.integer, "string": fields.string, "choice": fields.choice}

        @given(value=values)
        @example(value=Value("integer", str(LOW)))
        @example(value=Value("integer", str(HIGH)))
        @example(value=Value("integer", str(LOW - 1)))
        @example(value=Value("string", "x" * LONGEST))
        @example(value=Value("string", "x" * (LONGEST + 1)))
        @example(value=Value("choice", "green"))
        @example(value=Value("choice", "purple"))
        def test(value: Value) -> None:
            external_id = ids[value.field]
            exchange = kit.client.upload(TINY_PNG.part(), {"public_id": kit.new_id("md"), "tags": kit.run_tag,
                                                           "metadata": f"{external_id}={_escaped(value.text)}"})
            if accepts(value):
                checks.status(exchange, 200, why=f"{value.text!r} satisfies the rules of {value.field} field")
            else:
                checks.status(exchange, 400, why=f"{value.text!r} breaks the rules of {value.field} field")

        kit.run(test, scale=0.5)
