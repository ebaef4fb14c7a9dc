"""Values given to assets, checked against their fields."""

from __future__ import annotations

import pytest

from emulator.backend.account.metadata_service import MetadataService
from emulator.backend.account.values import Assignment, assign, check_mandatory, visible, with_defaults
from emulator.errors import BadRequest

C = "demo"


@pytest.fixture
def fields(metadata: MetadataService) -> MetadataService:
    metadata.create_field(C, {"external_id": "s", "label": "S", "type": "string",
                              "validation": {"type": "strlen", "max": 5}})
    metadata.create_field(C, {"external_id": "n", "label": "N", "type": "integer", "default_value": 3})
    metadata.create_field(C, {"external_id": "set", "label": "Set", "type": "set",
                              "datasource": {"values": [{"value": "a", "external_id": "a1"},
                                                        {"value": "b", "external_id": "b1"}]}})
    return metadata


def test_values_are_stored_in_their_type(fields: MetadataService) -> None:
    got = assign(fields.by_id(C), {}, Assignment({"s": "hello", "n": "42", "set": ["a1", "b1", "a1"]}))
    assert got == {"s": "hello", "n": 42, "set": ["a1", "b1"]}


def test_invalid_values_are_400s_unless_cleared(fields: MetadataService) -> None:
    by_id = fields.by_id(C)
    with pytest.raises(BadRequest, match="Metadata field s - value is invalid"):
        assign(by_id, {}, Assignment({"s": "too long"}))
    with pytest.raises(BadRequest, match="Metadata field nope does not exist"):
        assign(by_id, {}, Assignment({"nope": "x"}))
    assert assign(by_id, {"s": "old"}, Assignment({"s": "too long", "n": "7"}, clear_invalid=True)) == {"n": 7}


def test_empty_value_removes(fields: MetadataService) -> None:
    assert assign(fields.by_id(C), {"s": "x", "n": 1}, Assignment({"s": ""})) == {"n": 1}


def test_defaults_mandatory_and_visibility(fields: MetadataService) -> None:
    assert with_defaults(fields.by_id(C), {"s": "x"}) == {"n": 3, "s": "x"}
    fields.update_field(C, "s", {"mandatory": True})
    with pytest.raises(BadRequest, match="Mandatory metadata field"):
        check_mandatory(fields.by_id(C), {"n": 1})
    fields.delete_entries(C, "set", ["a1"])
    fields.delete_field(C, "n")
    assert visible(fields.by_id(C), {"n": 1, "set": ["a1", "b1"]}) == {"set": ["b1"]}


# Arabic-Indic and full-width digits, a decimal, an exponent
@pytest.mark.parametrize("value", ["\u0661\u0662", "\uff11\uff12", "12.0", "1e1"])
def test_an_integer_is_written_in_ascii_digits(fields: MetadataService, value: str) -> None:
    """Found by the contract kit's metadata_validation: Python's \\d and int() also take other scripts' digits."""
    with pytest.raises(BadRequest, match="Metadata field n - value is invalid"):
        assign(fields.by_id(C), {}, Assignment({"n": value}))
