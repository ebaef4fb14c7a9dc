"""Structured metadata end to end through the official Python SDK: fields, datasources, values on assets."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import TURTLES

SET_VALUES = [{"value": "red", "external_id": "c_red"}, {"value": "green", "external_id": "c_green"},
              {"value": "blue", "external_id": "c_blue"}]


@pytest.fixture
def fields(cld: Any) -> Any:
    api = cld.api
    api.add_metadata_field({"external_id": "caption", "label": "Caption", "type": "string"})
    api.add_metadata_field({"external_id": "rating", "label": "Rating", "type": "integer",
                            "validation": {"type": "less_than", "equals": True, "value": 5}})
    api.add_metadata_field({"external_id": "colors", "label": "Colors", "type": "set",
                            "datasource": {"values": SET_VALUES}})
    api.add_metadata_field({"external_id": "shot", "label": "Shot", "type": "date", "default_value": "2024-01-02"})
    return cld


def test_field_crud(fields: Any) -> None:
    api = fields.api
    got = api.metadata_field_by_field_id("caption")
    assert (got["type"], got["label"], got["mandatory"], got["default_value"]) == ("string", "Caption", False, None)
    updated = api.update_metadata_field("caption", {"label": "New", "type": "integer", "default_value": "x"})
    assert (updated["type"], updated["label"], updated["default_value"]) == ("string", "New", "x")
    assert [f["external_id"] for f in api.list_metadata_fields()["metadata_fields"]] == [
        "caption", "rating", "colors", "shot"]
    assert api.delete_metadata_field("caption") == {"message": "ok"}
    with pytest.raises(fields.exceptions.NotFound, match="Metadata field caption does not exist"):
        api.metadata_field_by_field_id("caption")
    with pytest.raises(fields.exceptions.BadRequest, match="external id caption already exists"):
        api.add_metadata_field({"external_id": "caption", "label": "C", "type": "string"})


def test_invalid_default_is_a_400(fields: Any) -> None:
    with pytest.raises(fields.exceptions.BadRequest, match="default_value is invalid"):
        fields.api.add_metadata_field({"external_id": "r2", "label": "R", "type": "integer", "default_value": 6,
                                       "validation": {"type": "less_than", "equals": True, "value": 5}})


def test_datasource_operations(fields: Any) -> None:
    api = fields.api
    result = api.update_metadata_field_datasource("colors", [{"value": "crimson", "external_id": "c_red"}])
    assert result["values"][0] == {"value": "crimson", "external_id": "c_red"} and len(result["values"]) == 3
    assert len(api.delete_datasource_entries("colors", ["c_red"])["values"]) == 2
    assert len(api.restore_metadata_field_datasource("colors", ["c_red"])["values"]) == 3
    desc = api.reorder_metadata_field_datasource("colors", "value", "desc")["values"]
    assert [v["value"] for v in desc] == ["green", "crimson", "blue"]
    ordered = api.reorder_metadata_fields("label", "asc")["metadata_fields"]
    assert [f["label"] for f in ordered] == ["Caption", "Colors", "Rating", "Shot"]


def test_values_on_upload_explicit_update_and_details(fields: Any) -> None:
    uploaded = fields.uploader.upload(str(TURTLES), public_id="md", metadata={"caption": "hi", "colors": ["c_red"]})
    assert uploaded["metadata"] == {"caption": "hi", "colors": ["c_red"], "shot": "2024-01-02"}
    explicit = fields.uploader.explicit("md", type="upload", metadata={"rating": 4})
    assert explicit["metadata"]["rating"] == 4
    updated = fields.api.update("md", metadata={"caption": ""})
    assert "caption" not in updated["metadata"]
    assert fields.api.resource("md")["metadata"] == {"colors": ["c_red"], "shot": "2024-01-02", "rating": 4}
    result = fields.uploader.update_metadata({"rating": "3", "colors": ["c_blue", "c_green"]}, ["md"])
    assert result["public_ids"] == ["md"]
    assert fields.api.resource("md")["metadata"]["colors"] == ["c_blue", "c_green"]
    fields.api.delete_metadata_field("colors")
    assert "colors" not in fields.api.resource("md")["metadata"]
    assert fields.Search().expression("metadata.colors=c_blue").execute()["total_count"] == 0


def test_invalid_values(fields: Any) -> None:
    fields.uploader.upload(str(TURTLES), public_id="md2")
    with pytest.raises(fields.exceptions.BadRequest, match="Metadata field rating - value is invalid"):
        fields.uploader.update_metadata({"rating": 9}, ["md2"])
    with pytest.raises(fields.exceptions.BadRequest, match="Metadata field nope does not exist"):
        fields.uploader.upload(str(TURTLES), metadata={"nope": "x"})
    fields.uploader.update_metadata({"rating": 9, "caption": "ok"}, ["md2"], clear_invalid=True)
    assert fields.api.resource("md2")["metadata"] == {"caption": "ok", "shot": "2024-01-02"}


def test_lists_carry_metadata_only_when_asked(fields: Any) -> None:
    fields.uploader.upload(str(TURTLES), public_id="listed", tags=["mdlist"])
    with_md = fields.api.resources_by_tag("mdlist", metadata=True)["resources"]
    assert with_md[0]["metadata"] == {"shot": "2024-01-02"}
    assert "metadata" not in fields.api.resources_by_tag("mdlist")["resources"][0]


def test_search_by_metadata(fields: Any) -> None:
    fields.uploader.upload(str(TURTLES), public_id="s1", metadata={"rating": 2, "caption": "sea turtle"})
    fields.uploader.upload(str(TURTLES), public_id="s2", metadata={"rating": 5})
    found = fields.Search().expression("metadata.rating>=3").execute()
    assert [r["public_id"] for r in found["resources"]] == ["s2"]
    found = fields.Search().expression("metadata.caption:turtle").with_field("metadata").execute()
    assert [(r["public_id"], r["metadata"]["caption"]) for r in found["resources"]] == [("s1", "sea turtle")]


def test_rules(fields: Any) -> None:
    api = fields.api
    rule = api.add_metadata_rule({"metadata_field_id": "rating", "name": "r",
                                  "condition": {"metadata_field_id": "colors", "populated": True},
                                  "result": {"enable": True, "activate_values": "all"}})
    assert rule["state"] == "active"
    assert api.list_metadata_rules()["metadata_rules"] == [rule]
    assert api.update_metadata_rule(rule["external_id"], {"state": "inactive"})["state"] == "inactive"
    assert api.delete_metadata_rule(rule["external_id"]) == {"success": True}
    with pytest.raises(fields.exceptions.NotFound):
        api.delete_metadata_rule(rule["external_id"])
