"""Signatures against the reference's vectors and every signed request the official clients sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator import signing

CAPTURES = Path(__file__).resolve().parents[1] / "vectors"  # requests the official clients sent (vectors/README.md)
SECRETS = {"123456789012345": "s3cr3t-API-secret", "k2": "sec2"}
SECRET = "s3cr3t-API-secret"

WORKED = {
    "public_id": "my_turtle", "folder": "animals", "categorization": "imagga_tagging", "auto_tagging": "0.4",
    "tags": "a,b", "context": "alt=a turtle|caption=x\\=y\\|z",
    "notification_url": "http://127.0.0.1:9000/hook?a=1&b=2", "timestamp": "1700000000",
    "api_key": "123456789012345",
}


def test_string_to_sign_of_the_worked_example() -> None:
    assert signing.string_to_sign(WORKED) == (
        "auto_tagging=0.4&categorization=imagga_tagging&context=alt=a turtle|caption=x\\=y\\|z&folder=animals"
        "&notification_url=http://127.0.0.1:9000/hook?a=1%26b=2&public_id=my_turtle&tags=a,b&timestamp=1700000000"
    )


@pytest.mark.parametrize(("algorithm", "version", "expected"), [
    ("sha1", 2, "2c9809ca90c29a94be55c829227a2559c04ce3b1"),
    ("sha1", 1, "c2cd79512de78f8f6c7f13bf341a8f960f449ce4"),
    ("sha256", 2, "9282052fd26f262630156adce42518893196df2b0bd4bf2efbeff666d2a353c1"),
])
def test_worked_example_variants(algorithm: str, version: int, expected: str) -> None:
    assert signing.sign(WORKED, SECRET, algorithm=algorithm, version=version) == expected
    assert signing.verify(WORKED, SECRET, expected)


@pytest.mark.parametrize(("params", "secret", "expected"), [
    ({"public_id": "sample", "timestamp": "1315060510"}, "abcd", "c3470533147774275dd37996cc4d0e68fd03cd4f"),
    ({"command": "add", "public_ids": ["a", "b"], "tag": "turtle", "timestamp": "1700000000"}, SECRET,
     "c0475d5bcf28dce6ddb630a53688b4fd4b05f910"),
    ({"context": "caption=Schildkröte & Meer", "public_id": "tortue_é", "tags": "å,b&c",
      "timestamp": "1700000000"}, SECRET, "22ee6709d19514678bfaaf20bef9c3ccd07eecae"),
])
def test_appendix_a_vectors(params: dict[str, str | list[str]], secret: str, expected: str) -> None:
    assert signing.sign(params, secret) == expected


def test_empty_values_and_excluded_fields_are_not_signed() -> None:
    with_noise = {"public_id": "sample", "timestamp": "1315060510", "transformation": "", "file": "x",
                  "api_key": "k", "signature": "s", "cloud_name": "c", "resource_type": "image"}
    assert signing.string_to_sign(with_noise) == "public_id=sample&timestamp=1315060510"


def test_response_signature_matches_reference() -> None:
    assert signing.response_signature("animals/my_turtle", 1700000000, SECRET) == (
        "bf87426bdcef6495122d07b2e668b579ba7e6a4e")
    assert signing.response_signature("sample", 1700000000, SECRET) == "93cb56f77dce9bd0354ef7da0ab15a32005b3683"


def test_tampered_value_or_wrong_secret_fails() -> None:
    sent = signing.sign(WORKED, SECRET)
    assert not signing.verify({**WORKED, "tags": "a,b,c"}, SECRET, sent)
    assert not signing.verify(WORKED, "other-secret", sent)
    assert not signing.verify(WORKED, SECRET, sent[:-1])  # neither 40 nor 64 characters


def _captured_signed_requests() -> list[tuple[str, dict[str, str | list[str]], list[list[str]]]]:
    out = []
    for name in ("python", "node", "cli"):
        for call in json.loads((CAPTURES / f"{name}.json").read_text(encoding="utf-8"))["calls"]:
            for req in call.get("requests", []):
                fields = req["body"].get("fields") if req["body"]["kind"] == "multipart" else None
                if fields and any(k == "signature" for k, _ in fields):
                    out.append((f"{name}: {call['label']}", _fold(fields), fields))
    return out


def _fold(fields: list[list[str]]) -> dict[str, str | list[str]]:
    params: dict[str, str | list[str]] = {}
    for name, value in fields:
        if name.endswith("[]"):
            current = params.setdefault(name[:-2], [])
            assert isinstance(current, list)
            current.append(value)
        else:
            params[name] = value
    return params


CAPTURED = _captured_signed_requests()


def test_all_57_captured_signed_requests_are_present() -> None:
    assert len(CAPTURED) == 57


@pytest.mark.parametrize(("label", "params", "fields"), CAPTURED, ids=[c[0] for c in CAPTURED])
def test_captured_signature_verifies(label: str, params: dict[str, str | list[str]],
                                     fields: list[list[str]]) -> None:
    secret = SECRETS[str(params["api_key"])]
    drops = ((), signing.NON_SIGNABLE_NOTIFICATION)
    assert signing.verify(params, secret, str(params["signature"]), drops=drops), label
