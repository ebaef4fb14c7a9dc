"""Metadata field definitions: creation, checks on default values and validation, datasources, order."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.backend.account.metadata_service import MetadataService
from emulator.errors import ApiError, BadRequest, NotFound

C = "demo"
VALUES = [{"value": "v2", "external_id": "e2"}, {"value": "v3"}, {"value": "v4"}]


def _raises(kind: type[ApiError], fragment: str, call: Any, *args: Any) -> None:
    with pytest.raises(kind) as caught:
        call(*args)
    assert fragment in caught.value.message


def test_a_string_field_has_the_documented_shape(metadata: MetadataService) -> None:
    created = metadata.create_field(C, {"external_id": "s", "label": "S", "type": "string"}).render()
    assert created == {"type": "string", "external_id": "s", "label": "S", "mandatory": False,
                       "default_value": None, "validation": None, "default_disabled": False,
                       "restrictions": {"readonly_ui": False}}
    assert metadata.field(C, "s").render() == created


def test_a_set_field_lists_its_values_without_state(metadata: MetadataService) -> None:
    created = metadata.create_field(C, {"external_id": "x", "label": "X", "type": "set",
                                        "datasource": {"values": VALUES}, "allow_dynamic_list_values": True})
    values = created.render()["datasource"]["values"]
    assert values[0] == {"value": "v2", "external_id": "e2"}
    assert [v["value"] for v in values] == ["v2", "v3", "v4"]
    assert all(v["external_id"] for v in values)
    assert created.render()["allow_dynamic_list_values"] is True


def test_an_external_id_is_never_released(metadata: MetadataService) -> None:
    metadata.create_field(C, {"external_id": "gone", "label": "G", "type": "integer"})
    metadata.delete_field(C, "gone")
    _raises(NotFound, "does not exist", metadata.field, C, "gone")
    _raises(BadRequest, "external id gone already exists", metadata.create_field, C,
            {"external_id": "gone", "label": "G", "type": "integer"})


@pytest.mark.parametrize(("body", "fragment"), [
    ({"label": "L"}, "Missing required parameter - type"),
    ({"label": "L", "type": "text"}, "type is invalid"),
    ({"type": "string"}, "Missing required parameter - label"),
    ({"label": "L", "type": "enum"}, "datasource is invalid"),
    ({"label": "L", "type": "integer", "default_value": "x"}, "default_value is invalid"),
    ({"label": "L", "type": "date", "default_value": "2024-02-30"}, "default_value is invalid"),
    ({"label": "L", "type": "enum", "datasource": {"values": VALUES}, "default_value": "nope"},
     "default_value is invalid"),
    ({"label": "L", "type": "string", "validation": {"type": "greater_than", "value": 3}}, "validation is invalid"),
    ({"label": "L", "type": "string", "validation": {"type": "strlen"}}, "validation is invalid"),
    ({"label": "L", "type": "string", "validation": {"type": "strregex", "value": "("}}, "validation is invalid"),
])
def test_bad_definitions_are_400s(metadata: MetadataService, body: dict[str, Any], fragment: str) -> None:
    _raises(BadRequest, fragment, metadata.create_field, C, body)
    assert metadata.fields(C) == []


def test_date_default_must_pass_an_and_validation(metadata: MetadataService) -> None:
    rules = {"type": "and", "rules": [{"type": "greater_than", "equals": False, "value": "2024-01-01"},
                                      {"type": "less_than", "equals": False, "value": "2024-01-05"}]}
    ok = metadata.create_field(C, {"external_id": "d", "label": "D", "type": "date", "default_value": "2024-01-03",
                                   "validation": rules})
    assert ok.render()["validation"] == rules
    for bad in ("2024-01-05", "2024-01-01", "2024-02-01"):
        _raises(BadRequest, "default_value is invalid", metadata.create_field, C,
                {"external_id": "d2", "label": "D", "type": "date", "default_value": bad, "validation": rules})


def test_integer_less_than_with_equals(metadata: MetadataService) -> None:
    rule = {"type": "less_than", "equals": True, "value": 5}
    assert metadata.create_field(C, {"external_id": "i", "label": "I", "type": "integer", "default_value": 5,
                                     "validation": rule}).default_value == 5
    _raises(BadRequest, "default_value is invalid", metadata.create_field, C,
            {"external_id": "i2", "label": "I", "type": "integer", "default_value": 6, "validation": rule})


def test_update_ignores_external_id_and_type(metadata: MetadataService) -> None:
    metadata.create_field(C, {"external_id": "g", "label": "G", "type": "string"})
    updated = metadata.update_field(C, "g", {"external_id": "other", "type": "integer", "label": "New",
                                             "default_value": "dv", "mandatory": True,
                                             "restrictions": {"readonly_ui": True}}).render()
    assert (updated["external_id"], updated["type"], updated["label"]) == ("g", "string", "New")
    assert (updated["default_value"], updated["mandatory"], updated["restrictions"]) == ("dv", True,
                                                                                        {"readonly_ui": True})


def test_datasource_update_delete_restore_and_order(metadata: MetadataService) -> None:
    metadata.create_field(C, {"external_id": "e", "label": "E", "type": "enum", "datasource": {"values": VALUES}})
    values = metadata.update_datasource(C, "e", [{"value": "v1", "external_id": "e2"}]).render_datasource()
    assert values["values"][0] == {"value": "v1", "external_id": "e2"} and len(values["values"]) == 3
    after = metadata.delete_entries(C, "e", ["e2"]).render_datasource()["values"]
    assert [v["value"] for v in after] == ["v3", "v4"]
    assert len(metadata.restore_entries(C, "e", ["e2"]).render_datasource()["values"]) == 3
    desc = metadata.order_datasource(C, "e", "value", "desc").render_datasource()["values"]
    assert [v["value"] for v in desc] == ["v4", "v3", "v1"]
    _raises(BadRequest, "order_by is invalid", metadata.order_datasource, C, "e", "label", None)
    _raises(NotFound, "nope", metadata.delete_entries, C, "e", ["nope"])


def test_fields_reorder_by_label(metadata: MetadataService) -> None:
    for name in ("b", "c", "a"):
        metadata.create_field(C, {"external_id": name, "label": name.upper(), "type": "string"})
    assert [f.external_id for f in metadata.reorder_fields(C, "label", "desc")] == ["c", "b", "a"]
    assert [f.external_id for f in metadata.fields(C)] == ["c", "b", "a"]
    _raises(BadRequest, "order_by is invalid", metadata.reorder_fields, C, "type", "asc")


def test_rules_crud(metadata: MetadataService) -> None:
    metadata.create_field(C, {"external_id": "e", "label": "E", "type": "string"})
    rule = metadata.create_rule(C, {"metadata_field_id": "e", "condition": {"metadata_field_id": "e",
                                    "populated": True}, "result": {"enable": True}, "name": "r"})
    assert rule["state"] == "active" and metadata.rules(C) == [rule]
    updated = metadata.update_rule(C, str(rule["external_id"]), {"state": "inactive", "name": "r2"})
    assert (updated["state"], updated["name"]) == ("inactive", "r2")
    metadata.delete_rule(C, str(rule["external_id"]))
    assert metadata.rules(C) == []
    _raises(NotFound, "does not exist", metadata.delete_rule, C, "nope")
    _raises(NotFound, "does not exist", metadata.create_rule, C, {"metadata_field_id": "zz", "condition": {},
                                                                  "result": {}})
