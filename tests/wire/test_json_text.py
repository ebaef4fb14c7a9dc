"""JSON text of answers, stored rows and the journal (emulator/jsontext.py): orjson, and the standard library for
what orjson refuses, so every value encodable before still is and reads back the same."""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any

import pytest
from flask.json.provider import DefaultJSONProvider

from emulator import jsontext
from emulator.app import create_app
from emulator.config import load_config
from emulator.storage import rows


@pytest.mark.parametrize("value", [
    {"public_id": "påske/ü", "tags": ["a", "b"], "n": 3, "c": 0.1234, "none": None, "t": True},
    [],
    {},
    "plain",
])
def test_compact_utf8_in_the_given_order(value: Any) -> None:
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert jsontext.text(value) == expected
    assert jsontext.data(value) == expected.encode("utf-8")


@pytest.mark.parametrize("value", [
    {"big": 2**70},  # past 64 bits
    {1: "a", None: "b"},  # keys that are not strings
    {"s": "lone \ud800 surrogate"},
])
def test_what_orjson_refuses_the_standard_library_encodes_escaped(value: Any) -> None:
    expected = json.dumps(value, separators=(",", ":"))
    assert jsontext.text(value) == expected
    assert jsontext.data(value) == expected.encode("ascii")
    assert json.loads(jsontext.text(value)) == json.loads(expected)


def test_the_documented_differences() -> None:
    assert jsontext.text([1e16, 1.5e-7, float("nan"), float("inf")]) == "[1e+16,1.5e-7,null,null]"
    assert json.loads(jsontext.text([1e16, 1.5e-7])) == [1e16, 1.5e-7]


def test_dates_and_dataclasses_go_to_the_default_as_with_the_standard_library() -> None:
    @dataclasses.dataclass
    class Point:
        x: int

    value = {"at": datetime.date(2026, 11, 30), "p": Point(2)}
    default = DefaultJSONProvider.default
    assert jsontext.data(value, default) == json.dumps(value, default=default, separators=(",", ":")).encode()


def test_an_unencodable_value_still_raises_the_standard_library_error() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        jsontext.data({"s": {1, 2}}, DefaultJSONProvider.default)


def test_an_answer_is_the_same_json_flask_made() -> None:
    app = create_app(load_config({}, env={}))
    body = {"public_id": "påske", "tags": ["sea turtle"], "info": {"c": [{"tag": "x", "confidence": 0.5}]}}
    with app.app_context():
        response = app.json.response(body)
    assert response.get_data() == (json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    assert response.mimetype == "application/json"


def test_a_stored_row_written_by_the_standard_library_reads_back_the_same() -> None:
    """Rows written before (spaces after separators, ``\\u`` escapes) and after read back alike."""
    tags = ["påske", "sea turtle"]
    assert rows._decode(json.dumps(tags)) == rows._decode(jsontext.text(tags)) == tags
