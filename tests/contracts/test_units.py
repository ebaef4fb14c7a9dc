"""The kit's own pieces: signing (against known signature vectors), the laws (against the documentation's
examples), encoding and the curl line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request as WerkzeugRequest

from contracts import laws, signing
from contracts.checks import first_difference
from contracts.strategies import TINY_PNG, context_field, wire
from contracts.transport import FilePart, HttpTransport, Request, WsgiTransport, curl_line
from emulator.server import EmulatorServer
from tests.contracts.conftest import KEY, SECRET

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
REF_SECRET = "s3cr3t-API-secret"

WORKED = {"public_id": "my_turtle", "folder": "animals", "categorization": "imagga_tagging", "auto_tagging": "0.4",
          "tags": "a,b", "context": "alt=a turtle|caption=x\\=y\\|z",
          "notification_url": "http://127.0.0.1:9000/hook?a=1&b=2", "timestamp": "1700000000", "api_key": "1234"}


def test_a_worked_example_signs_as_expected() -> None:
    assert len(signing.string_to_sign(WORKED)) == 202
    assert signing.sign(WORKED, REF_SECRET) == "2c9809ca90c29a94be55c829227a2559c04ce3b1"
    assert signing.sign(WORKED, REF_SECRET, "sha256") == (
        "9282052fd26f262630156adce42518893196df2b0bd4bf2efbeff666d2a353c1")


@pytest.mark.parametrize(("params", "secret", "expected"), [
    ({"public_id": "sample", "timestamp": "1315060510"}, "abcd", "c3470533147774275dd37996cc4d0e68fd03cd4f"),
    ({"command": "add", "public_ids": ["a", "b"], "tag": "turtle", "timestamp": "1700000000"}, REF_SECRET,
     "c0475d5bcf28dce6ddb630a53688b4fd4b05f910"),
    ({"context": "caption=Schildkröte & Meer", "public_id": "tortue_é", "tags": "å,b&c", "timestamp": "1700000000"},
     REF_SECRET, "22ee6709d19514678bfaaf20bef9c3ccd07eecae"),
])
def test_signature_vectors(params: dict[str, Any], secret: str, expected: str) -> None:
    assert signing.sign(params, secret) == expected


def test_known_response_signatures_verify() -> None:
    assert signing.response_signature_ok("animals/my_turtle", 1700000000, REF_SECRET,
                                         "bf87426bdcef6495122d07b2e668b579ba7e6a4e")
    assert signing.response_signature_ok("sample", 1700000000, REF_SECRET, "93cb56f77dce9bd0354ef7da0ab15a32005b3683")
    assert not signing.response_signature_ok("sample", 1700000001, REF_SECRET,
                                             "93cb56f77dce9bd0354ef7da0ab15a32005b3683")


def test_captured_python_upload_signatures_verify_with_the_kits_signing() -> None:
    calls = json.loads((VECTORS / "python.json").read_text(encoding="utf-8"))["calls"]
    checked = 0
    for call in calls:
        for request in call.get("requests", []):
            check = request.get("signature_check")
            if check and request["path"].endswith("/upload") and check["ok"] and "sha1/v2" in check["matches"]:
                fields: dict[str, Any] = {}
                for name, value in request["body"]["fields"]:
                    fields.setdefault(name.removesuffix("[]"), []).append(value) if name.endswith("[]") else \
                        fields.__setitem__(name, value)
                assert signing.string_to_sign(fields) == check["string_to_sign"]
                assert signing.sign(fields, REF_SECRET) == check["sent"]
                checked += 1
    assert checked >= 10


# -- the laws on the documentation's examples ------------------------------------------------------------------

TURTLE = {"imagga_tagging": {"status": "complete", "data": [
    {"tag": "sea turtle", "confidence": 1.0}, {"tag": "loggerhead", "confidence": 1.0},
    {"tag": "turtle", "confidence": 0.8903}, {"tag": "crab", "confidence": 0.3089}]}}


def test_threshold_is_strictly_greater() -> None:
    assert laws.auto_tags(TURTLE, ["imagga_tagging"], 0.4) == ["sea turtle", "loggerhead", "turtle"]
    assert laws.auto_tags(TURTLE, ["imagga_tagging"], 0.3089) == ["sea turtle", "loggerhead", "turtle"]
    assert laws.auto_tags(TURTLE, ["imagga_tagging"], 1.0) == []
    assert laws.auto_tags(TURTLE, ["imagga_tagging"], 0.0) == ["sea turtle", "loggerhead", "turtle", "crab"]


def test_several_engines_merge_in_request_order_without_duplicates() -> None:
    """Two engines, one label in both: merged once, in request order."""
    blocks = {"imagga_tagging": {"status": "complete", "data": [
        {"tag": "sea turtle", "confidence": 1.0}, {"tag": "turtle", "confidence": 0.8903}]},
              "google_tagging": {"status": "complete", "data": [
        {"tag": "Turtle", "confidence": 0.97}, {"tag": "Reptile", "confidence": 0.93}]}}
    assert laws.auto_tags(blocks, ["google_tagging", "imagga_tagging"], 0.9) == ["turtle", "reptile", "sea turtle"]


def test_language_keyed_tags_give_every_language_text() -> None:
    blocks = {"imagga_tagging": {"status": "complete", "data": [
        {"tag": {"fi": "kilpikonna", "da": "Skildpadde"}, "confidence": 0.9}]}}
    assert laws.auto_tags(blocks, ["imagga_tagging"], 0.5) == ["kilpikonna", "skildpadde"]


def test_explicit_tags_come_first_and_duplicates_go() -> None:
    assert laws.expected_tags(["turtle", "x"], TURTLE, ["imagga_tagging"], 0.5) == [
        "turtle", "x", "sea turtle", "loggerhead"]


@pytest.mark.parametrize(("actual", "reason"), [
    (["sea turtle", "loggerhead", "turtle", "crab"], "equal to auto_tagging=0.3089"),
    (["sea turtle", "loggerhead"], "'turtle' (confidence 0.8903 > 0.3089) is missing"),
    (["Sea Turtle", "loggerhead", "turtle"], "'Sea Turtle' is not lower-case"),
    (["loggerhead", "sea turtle", "turtle"], "wrong order"),
])
def test_explanations_name_the_broken_rule(actual: list[str], reason: str) -> None:
    expected = laws.expected_tags([], TURTLE, ["imagga_tagging"], 0.3089)
    assert reason in laws.explain(expected, actual, TURTLE, ["imagga_tagging"], 0.3089)


def test_first_difference_points_at_the_change() -> None:
    assert first_difference({"a": {"b": [1, 2]}}, {"a": {"b": [1, 3]}}) == ("a.b[1]", 2, 3)
    assert first_difference({"a": 1, "b": 2}, {"b": 2, "a": 1}) == ("(keys)", ["a", "b"], ["b", "a"])


# -- encoding -----------------------------------------------------------------------------------------------------

def test_wire_numbers_are_positional() -> None:
    assert [wire(v) for v in (1e-05, 0.8903, 1.0, 0.0)] == ["0.00001", "0.8903", "1.0", "0.0"]


def test_context_values_are_escaped() -> None:
    assert context_field({"alt": "a turtle", "caption": "x=y|z"}) == "alt=a turtle|caption=x\\=y\\|z"


def test_multipart_encoding_round_trips_through_werkzeug() -> None:
    request = Request("POST", "/v1_1/demo/image/upload", form=(("public_id", "tortue_é"), ("public_ids[]", "a"),
                                                              ("public_ids[]", "b")), files=(TINY_PNG.part(),))
    encoded = request.encode()
    parsed = WerkzeugRequest(EnvironBuilder(method="POST", data=encoded.body,
                                            content_type=encoded.content_type).get_environ())
    assert parsed.form["public_id"] == "tortue_é" and parsed.form.getlist("public_ids[]") == ["a", "b"]
    assert parsed.files["file"].read() == TINY_PNG.render()


def test_curl_line_hides_the_secret_and_keeps_the_signature() -> None:
    basic = Request("GET", "/v1_1/demo/resources/image/upload/a b", headers=(("Authorization",
                                                                             signing.basic(KEY, SECRET)),))
    line = curl_line(basic, "http://h", secret=SECRET, api_key=KEY)
    assert SECRET not in line and f'-u "{KEY}:$API_SECRET"' in line and "upload/a%20b" in line
    upload = Request("POST", "/u", form=(("signature", "abc"), ("tags", "@x")), files=(
        FilePart("file", "cck.png", "image/png", b"x"),))
    line = curl_line(upload, "http://h")
    assert "-F signature=abc" in line and "--form-string tags=@x" in line and "file=@cck.png;type=image/png" in line


def test_both_transports_deliver_the_same_answer(emulator_app: Flask) -> None:
    request = Request("GET", "/v1_1/demo/ping", headers=(("Authorization", signing.basic(KEY, SECRET)),))
    in_process = WsgiTransport(emulator_app).send(request)
    with EmulatorServer(emulator_app) as server:
        over_http = HttpTransport(server.url).send(request)
    assert (in_process.status, in_process.json()) == (over_http.status, over_http.json()) == (200, {"status": "ok"})
