"""The kit must be able to fail: each deliberately broken target is reported by the property that should
catch it, with a message a person can act on."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.contracts import broken
from tests.contracts.conftest import SECRET, KitRunner, failures

CASES = [
    # (breakage, the property that must report it, what its report must say)
    (broken.reverse_data, "ordering", r"not sorted by confidence, highest first"),
    (broken.greater_or_equal, "threshold_law_upload",
     r"has confidence [0-9.]+, equal to auto_tagging=[0-9.]+; only a confidence strictly greater"),
    (broken.drop_created_at, "response_schemas", r"'created_at' is a required property[\s\S]*upload\.json#/required"),
    (broken.errors_as_200, "errors", r"HTTP 200 with an error body"),
    (broken.random_tags, "determinism", r"categorization of the same bytes in two uploads"),
    (broken.forget_tags_on_update, "threshold_law_update", r"given explicitly or held before is missing"),
    (broken.no_rate_limit_headers, "admin_headers", r"Admin answer without X-FeatureRateLimit-Limit"),
    (broken.wrong_response_signature, "upload_signature", r"is not SHA-1/SHA-256 of 'public_id="),
    (broken.english_always, "languages", r"tag keys \(the requested codes, in request order\)"),
    (broken.lose_last_match, "pagination", r"with max_results=\d over \d matches: differs"),
]


@pytest.mark.parametrize(("edit", "prop", "message"), CASES, ids=[c[0].__name__ for c in CASES])
def test_the_right_property_reports_a_broken_target(emulator_app: Flask, kit_in_process: KitRunner, edit: broken.Edit,
                                                    prop: str, message: str) -> None:
    report = kit_in_process(broken.Broken(emulator_app, edit))
    found = failures(report)
    assert prop in found, f"{prop} passed against {edit.__name__}; failures: {sorted(found)}"
    text = found[prop]
    assert re.search(message, text), text
    assert "request:   curl" in text and "response:  HTTP" in text and "seed:" in text, text


# Each of these slipped through an earlier version of the kit; the variant is run against one property.
NARROW = [
    (broken.upload_without_etag, "upload_signature", r"'etag' is a required property[\s\S]*upload\.json#/required"),
    (broken.details_without_derived, "round_trip", r"'derived' is a required property[\s\S]*resource\.json#/required"),
    (broken.six_decimal_confidences, "ordering", r"0\.\d{6} has more than 4 decimals"),
    (broken.last_part_only, "chunked_upload", r"parts vs one request: bytes differs"),
    (broken.capitalised_categories, "ordering",
     r"imagga_tagging\.data\[0\]\.tag: '[A-Z][a-z ]*' is not lower case: Imagga's English tags"),
]


@pytest.mark.parametrize(("edit", "prop", "message"), NARROW, ids=[c[0].__name__ for c in NARROW])
def test_the_kit_rejects_a_defective_answer(emulator_app: Flask, kit_in_process: KitRunner, edit: broken.Edit,
                                            prop: str, message: str) -> None:
    text = failures(kit_in_process(broken.Broken(emulator_app, edit), only=[prop])).get(prop, "")
    assert re.search(message, text), f"{prop} let {edit.__name__} through:\n{text}"


@pytest.mark.parametrize("prop", sorted({c[1] for c in NARROW} | {"cors", "metadata_validation", "archive_contents",
                                                                 "restore_backup"}))
def test_the_same_properties_accept_the_correct_answers(emulator_app: Flask, kit_in_process: KitRunner,
                                                        prop: str) -> None:
    assert failures(kit_in_process(emulator_app, only=[prop])) == {}


def test_a_preflight_refusing_content_range_fails_cors(emulator_app: Flask, kit_in_process: KitRunner) -> None:
    report = kit_in_process(broken.HeaderEdit(emulator_app, broken.no_content_range_in_preflights), only=["cors"])
    text = failures(report)["cors"]
    assert "Access-Control-Allow-Headers does not allow content-range" in text, text
    assert "request:   curl -sS -X OPTIONS" in text


def test_a_target_ignoring_metadata_fails_metadata_validation(emulator_app: Flask, kit_in_process: KitRunner) -> None:
    target = broken.Broken(emulator_app, rewrite=broken.resign(SECRET, drop=("metadata",)))
    text = failures(kit_in_process(target, only=["metadata_validation"]))["metadata_validation"]
    assert re.search(r"expected HTTP 400 \('.*' breaks the rules of \w+ field\), got 200", text), text


def test_an_archive_missing_a_file_fails_archive_contents(emulator_app: Flask, kit_in_process: KitRunner) -> None:
    text = failures(kit_in_process(broken.ZipEdit(emulator_app), only=["archive_contents"]))["archive_contents"]
    assert "archive entries (names): differs" in text, text


def test_restoring_the_wrong_version_fails_restore_backup(emulator_app: Flask, kit_in_process: KitRunner) -> None:
    target = broken.Broken(emulator_app, rewrite=broken.ignore_admin_field("versions"))
    text = failures(kit_in_process(target, only=["restore_backup"]))["restore_backup"]
    assert "restored vs the version backed up: " in text, text


def test_a_target_accepting_bad_signatures_fails_auth(emulator_app: Flask, kit_in_process: KitRunner) -> None:
    report = kit_in_process(broken.Broken(emulator_app, rewrite=broken.resign(SECRET)), only=["auth"])
    text = failures(report)["auth"]
    assert re.search(r"expected HTTP 401 \(\w+ changed after signing\), got 200", text), text
    assert "-F signature=" in text and "input:" in text


def test_reports_carry_the_minimal_input_and_replay(emulator_app: Flask, kit_in_process: KitRunner) -> None:
    report = kit_in_process(broken.Broken(emulator_app, broken.greater_or_equal), only=["threshold_law_upload"])
    text = failures(report)["threshold_law_upload"]
    assert "input:     Failing explicit example: test(" in text and "choice=Returned(index=" in text
    assert re.search(r"seed:\s+20251129", text)
    assert SECRET not in text  # the secret never appears in a report


def test_the_state_machine_catches_a_lost_match(emulator_app: Flask, kit_in_process: KitRunner) -> None:
    report = kit_in_process(broken.Broken(emulator_app, broken.lose_last_match), only=["library_model"])
    text = failures(report)["library_model"]
    assert re.search(r"differs: expected \[.*\], got \[", text), text
    assert "state = Library()" in text and "state.three_sharing_a_tag()" in text  # the shrunk steps
