"""The schemas: valid draft 2020-12 with $id; the documentation's snippets and the SDK captures' shapes
validate; what they declare (date-time, ≤ 4 decimals) is really enforced."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from contracts import laws, schemas
from contracts.languages import SUPPORTED

DATA = Path(__file__).resolve().parent / "data"
VECTORS = Path(__file__).resolve().parents[1] / "vectors"  # the captured SDK traffic


@pytest.mark.parametrize("name", schemas.NAMES)
def test_each_schema_is_draft_2020_12_with_an_id(name: str) -> None:
    doc = schemas.load(name)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"] == f"{schemas.BASE_URI}{name}.json"
    Draft202012Validator.check_schema(doc)


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in _keys(v)}
    return {k for v in node for k in _keys(v)} if isinstance(node, list) else set()


def test_no_schema_uses_multiple_of() -> None:
    for name in schemas.NAMES:
        assert "multipleOf" not in _keys(schemas.load(name)), name
    assert "x-maxDecimals" in _keys(schemas.load("categorization"))


def test_multiple_of_would_reject_a_documented_confidence() -> None:
    """Why x-maxDecimals exists: in floating point 0.0755 is not a multiple of 0.0001."""
    naive = Draft202012Validator({"type": "number", "multipleOf": 0.0001})
    assert not naive.is_valid(0.0755)
    assert schemas.violations("categorization", _block([("fish", 0.0755)])) == []


@pytest.mark.parametrize("value", [0.0755, 0.8903, 1.0, 1, 0, 0.1, 0.3089])
def test_four_decimals_pass(value: float) -> None:
    assert schemas.violations("categorization", _block([("x", value)])) == []


@pytest.mark.parametrize(("value", "why"), [(0.07551, "more than 4 decimals"), (1e-05, "more than 4 decimals"),
                                            (float("nan"), "not a finite number"), (1.5, "maximum"),
                                            (-0.1, "minimum")])
def test_confidence_rules_are_enforced(value: float, why: str) -> None:
    found = schemas.violations("categorization", _block([("x", value)]))
    assert len(found) == 1 and why in found[0].message, found
    assert found[0].instance_path == "$.imagga_tagging.data[0].confidence"


@pytest.mark.parametrize("created_at", ["2023-11-14 22:13:20", "2023-11-14", "yesterday", "2023-13-14T22:13:20Z"])
def test_date_time_format_is_enforced(created_at: str) -> None:
    found = schemas.violations("resource", {**_details(), "created_at": created_at})
    assert [v.schema_path for v in found] == ["resource.json#/allOf/1/properties/created_at/format"], found


@pytest.mark.parametrize("created_at", ["2023-11-14T22:13:20Z", "2023-11-14T22:13:20+00:00"])
def test_both_documented_timestamp_forms_pass(created_at: str) -> None:
    assert schemas.violations("resource", {**_details(), "created_at": created_at}) == []


def test_a_language_keyed_tag_needs_supported_codes() -> None:
    ok = {"imagga_tagging": {"status": "complete", "data": [{"tag": {"fi": "kilpikonna", "da": "skildpadde"},
                                                              "confidence": 0.8903}]}}
    assert schemas.violations("categorization", ok) == []
    bad = {"imagga_tagging": {"status": "complete", "data": [{"tag": {"xx": "?"}, "confidence": 0.5}]}}
    assert "'xx' is not one of" in schemas.violations("categorization", bad)[0].message
    assert {"fi", "da", "en", "zh_cht"} <= set(SUPPORTED) and len(SUPPORTED) == 51


def test_a_success_body_with_an_error_key_fails_every_success_schema() -> None:
    for name in ("upload", "resource", "resource-list", "tags-list", "tags-command", "destroy", "delete", "search",
                 "ping"):
        assert any(v.schema_path.endswith("/not") for v in schemas.violations(name, {"error": {"message": "x"}}))


# -- the seed page's two snippets ----------------------------------------------------------------------------

def _seed() -> str:
    return (DATA / "imagga_addon_page.txt").read_text(encoding="utf-8")


def _upload_snippet() -> dict[str, Any]:
    """The first snippet's ``categorization`` object, cut out by brace matching."""
    text = _seed()
    start = text.index("{", text.index('"categorization": {'))
    depth = 0
    for end, char in enumerate(text[start:], start):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return json.loads(text[start:end + 1])  # type: ignore[no-any-return]
    raise AssertionError("unbalanced snippet")


def _update_snippet() -> tuple[list[str], dict[str, Any]]:
    """The second snippet is cut short ("..."); its tags and data entries are taken as they stand."""
    text = _seed()[_seed().index('"tags": [ "pink"'):]  # the update answer, after the code samples
    tags = json.loads(re.search(r'"tags": (\[[^\]]*\])', text)[1])  # type: ignore[index]
    entries = [json.loads(m) for m in re.findall(r'\{ "tag": "[^"]+", "confidence": [0-9.]+ ?\}', text)]
    entries.append({"tag": "plant", "confidence": float(re.search(r'"plant", "confidence": ([0-9.]+)', text)[1])})  # type: ignore[index]
    return tags, {"imagga_tagging": {"status": "complete", "data": entries}}


def test_the_seed_upload_snippet_validates_and_obeys_the_laws() -> None:
    block = _upload_snippet()
    assert schemas.violations("categorization", block) == []
    assert len(block["imagga_tagging"]["data"]) == 12 and laws.is_sorted(block["imagga_tagging"])
    # "only the 'sea turtle', 'loggerhead' and 'turtle' categories have a high enough score" at 0.4
    assert laws.auto_tags(block, ["imagga_tagging"], 0.4) == ["sea turtle", "loggerhead", "turtle"]


def test_the_seed_update_snippet_validates_and_obeys_the_laws() -> None:
    tags, block = _update_snippet()
    assert [e["tag"] for e in block["imagga_tagging"]["data"]] == ["pink", "flower", "flowers", "plant"]
    assert schemas.violations("categorization", block) == []
    assert schemas.violations("tags-list", {"tags": tags}) == []
    assert laws.expected_tags([], block, ["imagga_tagging"], 0.5) == tags == ["pink", "flower"]


# -- the SDK captures' shapes --------------------------------------------------------------------------------

_LABELS = [(r"^api\.update", "update"), (r"^api\.resources", "resource-list"), (r"^api\.resource\b", "resource"),
           (r"^api\.tags", "tags-list"), (r"^api\.delete_resources", "delete"), (r"^uploader\.destroy", "destroy"),
           (r"^uploader\.", "tags-command"), (r"^search", "search"), (r"api\.ping$|\(admin\)$", "ping"),
           (r"upload|override", "upload")]


def _schema_for(label: str) -> str | None:
    """Which response shape a captured call's canned answer has, by the call's label (captures README)."""
    return next((schema for pattern, schema in _LABELS if re.search(pattern, label)), None)


def _captured() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for sdk in ("python", "node"):
        for call in json.loads((VECTORS / f"{sdk}.json").read_text(encoding="utf-8"))["calls"]:
            if call.get("result") == "ok" and isinstance(call.get("returned"), dict):
                schema = _schema_for(call["label"])
                assert schema is not None, call["label"]
                out.append((f"{sdk}: {call['label']}", schema, call["returned"]))
    return out


CAPTURED = _captured()


@pytest.mark.parametrize(("label", "schema", "returned"), CAPTURED, ids=[c[0] for c in CAPTURED])
def test_captured_shapes_validate(label: str, schema: str, returned: dict[str, Any]) -> None:
    """The captures' answers are the canned ones the capturing server gave the SDKs, not the service's: every
    field they have must be well formed, but they need not have every field the service always sends."""
    found = [v for v in schemas.violations(schema, returned) if not v.schema_path.endswith("/required")]
    assert found == []


def test_every_kind_of_capture_was_checked() -> None:
    assert {schema for _, schema, _ in CAPTURED} == {"upload", "update", "resource", "resource-list", "tags-list",
                                                      "delete", "destroy", "tags-command", "search", "ping"}


def test_captured_error_envelopes_validate() -> None:
    """Node's Admin client hands the body's ``error`` object on (adding http_code): the envelope."""
    calls = json.loads((VECTORS / "node.json").read_text(encoding="utf-8"))["calls"]
    seen = 0
    for call in calls:
        if call["label"].startswith("ERROR") and call["label"].endswith("on admin"):
            rejected = json.loads(call["exception"].removeprefix("non-Error rejection: "))
            assert schemas.violations("error", {"error": rejected["error"]}) == []
            seen += 1
    assert seen == 4


def _block(entries: list[tuple[str, float]]) -> dict[str, Any]:
    return {"imagga_tagging": {"status": "complete", "data": [{"tag": t, "confidence": c} for t, c in entries]}}


def _details() -> dict[str, Any]:
    return {"asset_id": "c4ca4238a0b923820dcc509a6f75849b", "public_id": "sample", "derived": [],
            "format": "jpg", "version": 1700000000, "resource_type": "image", "type": "upload",
            "created_at": "2023-11-14T22:13:20Z", "bytes": 120253, "width": 864, "height": 576,
            "url": "http://res.cloudinary.com/demo/image/upload/v1700000000/sample.jpg",
            "secure_url": "https://res.cloudinary.com/demo/image/upload/v1700000000/sample.jpg", "tags": []}


# -- holes an earlier version of the kit left open: each defective answer is rejected, the correct one accepted --

def _upload() -> dict[str, Any]:
    """An upload answer with every field the service always sends (as in Cloudinary's Upload API documentation)."""
    return {"asset_id": "8f14e45fceea167a5a36dedd4bea2543", "public_id": "animals/my_turtle", "version": 1700000000,
            "version_id": "c9f0f895fb98ab9159f51fd0297e236d", "signature": "bf87426bdcef6495122d07b2e668b579ba7e6a4e",
            "width": 64, "height": 48, "format": "jpg", "resource_type": "image", "created_at": "2023-11-14T22:13:20Z",
            "tags": [], "pages": 1, "bytes": 1041, "type": "upload", "etag": "53b8f67c41b35856d860e1038c2501b5",
            "placeholder": False, "url": "http://res.cloudinary.com/demo/image/upload/v1700000000/animals/my_turtle.jpg",
            "secure_url": "https://res.cloudinary.com/demo/image/upload/v1700000000/animals/my_turtle.jpg",
            "original_filename": "turtles", "api_key": "123456789012345"}


UPLOAD_ALWAYS = ["asset_id", "public_id", "version", "version_id", "signature", "width", "height", "format",
                 "resource_type", "created_at", "tags", "bytes", "type", "etag", "placeholder", "url", "secure_url",
                 "original_filename", "api_key"]
DETAILS_ALWAYS = ["asset_id", "public_id", "format", "version", "resource_type", "type", "created_at", "bytes",
                  "width", "height", "url", "secure_url", "derived"]


def test_complete_answers_pass() -> None:
    assert schemas.violations("upload", _upload()) == []
    assert schemas.violations("explicit", _upload()) == []
    assert schemas.violations("resource", _details()) == []
    assert schemas.violations("update", _details()) == []


@pytest.mark.parametrize("field", UPLOAD_ALWAYS)
def test_an_upload_answer_missing_a_field_fails(field: str) -> None:
    answer = _upload()
    del answer[field]
    assert f"'{field}' is a required property" in [v.message for v in schemas.violations("upload", answer)]


@pytest.mark.parametrize("field", DETAILS_ALWAYS)
def test_a_details_answer_missing_a_field_fails(field: str) -> None:
    answer = _details()
    del answer[field]
    for name in ("resource", "update"):
        assert f"'{field}' is a required property" in [v.message for v in schemas.violations(name, answer)]


def test_a_raw_file_needs_no_format_width_or_height() -> None:
    raw = {k: v for k, v in _upload().items() if k not in ("format", "width", "height", "pages")}
    assert schemas.violations("upload", {**raw, "resource_type": "raw"}) == []
    assert {v.message for v in schemas.violations("upload", raw)} == {
        f"'{f}' is a required property" for f in ("format", "width", "height")}
    assert [v.message for v in schemas.violations("upload", {**raw, "resource_type": "video"})] == [
        "'format' is a required property"]


@pytest.mark.parametrize("schema", ["upload", "explicit", "resource", "update"])
@pytest.mark.parametrize(("value", "ok"), [(0.8903, True), (0.890301, False), (0.12345, False), (1, True)])
def test_decimals_are_checked_wherever_a_block_appears(schema: str, value: float, ok: bool) -> None:
    """x-maxDecimals must hold through a $ref into another document, not only in categorization.json itself."""
    answer = {**(_upload() if schema in ("upload", "explicit") else _details()),
              "info": {"categorization": _block([("turtle", value)])}}
    found = schemas.violations(schema, answer)
    assert (found == []) is ok, found
    if not ok:
        assert found[0].message == f"{value!r} has more than 4 decimals"
        assert found[0].instance_path == "$.info.categorization.imagga_tagging.data[0].confidence"


@pytest.mark.parametrize(("tag", "ok"), [("sea turtle", True), ("Sea turtle", False), ("TURTLE", False),
                                         ({"en": "turtle", "fi": "kilpikonna"}, True),
                                         ({"en": "Turtle", "fi": "kilpikonna"}, False)])
def test_imaggas_english_texts_are_lower_case(tag: str | dict[str, str], ok: bool) -> None:
    block = {"imagga_tagging": {"status": "complete", "data": [{"tag": tag, "confidence": 0.5}]}}
    found = schemas.violations("upload", {**_upload(), "info": {"categorization": block}})
    assert (found == []) is ok, found
    if not ok:
        assert "is not lower case: Imagga's English tags are lower case" in found[0].message


def test_other_engines_keep_their_own_case() -> None:
    """Google capitalises its labels in data ('Toy'); only the auto tags made from them are lower case."""
    block = {"google_tagging": {"status": "complete", "data": [{"tag": "Toy", "confidence": 0.9}]}}
    assert schemas.violations("categorization", block) == []
