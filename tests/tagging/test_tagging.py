"""The fixture engine: exact seed answers, matching order, deterministic fallback, translations."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from emulator.config import BUNDLED_FIXTURES
from emulator.errors import ConfigError
from emulator.tagging.engine import ImageRef, TaggingEngine
from emulator.tagging.fixtures import load_fixtures
from emulator.tagging.languages import SUPPORTED_LANGUAGES
from tests.conftest import SAMPLE, TURTLES

SEED_TURTLES = [("sea turtle", 1.0), ("loggerhead", 1.0), ("turtle", 0.8903), ("crab", 0.3089),
                ("king crab", 0.2722), ("crustacean", 0.1587), ("dungeness crab", 0.1102), ("sea", 0.1049),
                ("water", 0.0986), ("ocean", 0.0849), ("arthropod", 0.0764), ("fish", 0.0755)]


@pytest.fixture(scope="module")
def engine() -> TaggingEngine:
    return TaggingEngine(load_fixtures([BUNDLED_FIXTURES]))


def _ref(data: bytes, public_id: str = "x", filename: str = "x") -> ImageRef:
    return ImageRef(data, hashlib.sha256(data).hexdigest(), public_id, filename)


def _png(colour: tuple[int, int, int], size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def test_turtles_by_content_hash_is_the_seed_page(engine: TaggingEngine) -> None:
    got = engine.categorize(_ref(TURTLES.read_bytes()), "imagga_tagging")
    assert [(c.tag, c.confidence) for c in got] == SEED_TURTLES


def test_turtles_by_filename_for_any_image(engine: TaggingEngine) -> None:
    got = engine.categorize(_ref(_png((1, 2, 3)), filename="turtles"), "imagga_tagging")
    assert [(c.tag, c.confidence) for c in got] == SEED_TURTLES


def test_sample_by_public_id_starts_as_documented(engine: TaggingEngine) -> None:
    got = engine.categorize(_ref(_png((9, 9, 9)), public_id="sample"), "imagga_tagging")
    assert [(c.tag, c.confidence) for c in got[:4]] == [("pink", 0.822), ("flower", 0.6306),
                                                        ("flowers", 0.3778), ("plant", 0.3667)]
    assert all(c.confidence < 0.3667 for c in got[4:]) and len(got) > 4


def test_hash_wins_over_public_id_and_filename(engine: TaggingEngine) -> None:
    got = engine.categorize(_ref(SAMPLE.read_bytes(), public_id="x", filename="turtles"), "imagga_tagging")
    assert got[0].tag == "pink"


def test_fallback_is_deterministic_sorted_and_names_the_colour(engine: TaggingEngine) -> None:
    red = _png((210, 20, 25))
    first = engine.categorize(_ref(red), "imagga_tagging")
    assert first == TaggingEngine(load_fixtures([BUNDLED_FIXTURES])).categorize(_ref(red), "imagga_tagging")
    assert first[0].tag == "red"
    assert [c.confidence for c in first] == sorted((c.confidence for c in first), reverse=True)
    assert all(0 <= c.confidence <= 1 and round(c.confidence, 4) == c.confidence for c in first)
    assert engine.categorize(_ref(_png((20, 40, 210))), "imagga_tagging")[0].tag == "blue"


def test_other_engines_derive_their_labels(engine: TaggingEngine) -> None:
    data = TURTLES.read_bytes()
    assert engine.categorize(_ref(data), "google_tagging")[0].tag == "Sea turtle"
    assert engine.categorize(_ref(data), "aws_rek_tagging")[0].tag == "Sea Turtle"


def test_languages_give_objects_in_request_order(engine: TaggingEngine) -> None:
    data = engine.data(_ref(TURTLES.read_bytes()), "imagga_tagging", ("fi", "da"))
    assert isinstance(data[0].tag, dict) and list(data[0].tag) == ["fi", "da"]
    assert data[0].tag["fi"] != "sea turtle" and data[0].confidence == 1.0


def test_bundled_translations_cover_every_emitted_tag_in_every_language() -> None:
    fixtures = load_fixtures([BUNDLED_FIXTURES])
    assert fixtures.missing_translations() == {}
    assert set(fixtures.translations) == set(SUPPORTED_LANGUAGES) - {"en"}


def test_user_fixtures_extend_and_override(tmp_path: Path) -> None:
    (tmp_path / "tags").mkdir()
    (tmp_path / "tags" / "mine.json").write_text(json.dumps([
        {"match": {"public_id": "cats/tom"}, "imagga_tagging": [{"tag": "cat", "confidence": 0.91}]},
        {"match": {"filename": "turtles"}, "imagga_tagging": [{"tag": "tortoise", "confidence": 0.5}]},
    ]))
    engine = TaggingEngine(load_fixtures([BUNDLED_FIXTURES, tmp_path]))
    assert engine.categorize(_ref(_png((5, 5, 5)), public_id="cats/tom"), "imagga_tagging")[0].tag == "cat"
    assert engine.categorize(_ref(_png((5, 5, 5)), filename="turtles"), "imagga_tagging")[0].tag == "tortoise"


def test_user_image_with_sidecar_matches_by_hash(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    data = _png((7, 200, 7))
    (tmp_path / "images" / "leaf.png").write_bytes(data)
    (tmp_path / "images" / "leaf.json").write_text(json.dumps(
        {"imagga_tagging": [{"tag": "leaf", "confidence": 0.7}, {"tag": "green", "confidence": 0.9}]}))
    engine = TaggingEngine(load_fixtures([BUNDLED_FIXTURES, tmp_path]))
    got = engine.categorize(_ref(data, public_id="anything"), "imagga_tagging")
    assert [(c.tag, c.confidence) for c in got] == [("green", 0.9), ("leaf", 0.7)]


@pytest.mark.parametrize(("entry", "message"), [
    ({"match": {"public_id": "a"}, "imagga_tagging": [{"tag": "x", "confidence": 1.5}]}, "greater than the maximum"),
    ({"match": {"public_id": "a"}, "imagga_tagging": [{"tag": "x", "confidence": 0.12345}]}, "more than 4 decimals"),
    ({"match": {"public_id": "a"}, "imagga_tagging": [{"tag": "Cat", "confidence": 0.5}]}, "lower-case"),
    ({"match": {"public_id": "a"}, "bogus_tagging": []}, "Additional properties are not allowed"),
    ({"imagga_tagging": [{"tag": "x", "confidence": 0.5}]}, "needs a 'match'"),
])
def test_bad_fixture_entries_are_clear_start_up_errors(tmp_path: Path, entry: object, message: str) -> None:
    (tmp_path / "tags").mkdir()
    (tmp_path / "tags" / "bad.json").write_text(json.dumps([entry]))
    with pytest.raises(ConfigError, match=message) as info:
        load_fixtures([BUNDLED_FIXTURES, tmp_path])
    assert "bad.json[0]" in str(info.value)


def test_image_without_sidecar_and_invalid_json_are_reported(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "lonely.png").write_bytes(_png((1, 1, 1)))
    with pytest.raises(ConfigError, match=r"no lonely\.json beside it"):
        load_fixtures([BUNDLED_FIXTURES, tmp_path])
    (tmp_path / "images" / "lonely.json").write_text("{not json")
    with pytest.raises(ConfigError, match="invalid JSON at line 1"):
        load_fixtures([BUNDLED_FIXTURES, tmp_path])


def test_missing_fixtures_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_fixtures([tmp_path / "nope"])


@pytest.mark.parametrize("tagger", ["imagga_tagging", "google_tagging", "aws_rek_tagging"])
def test_an_answer_labelled_again_is_the_one_labelled_before(tagger: str) -> None:
    """Every engine's answer for a known image is labelled once per language list, whether or not the engine
    makes a new tuple of it each time."""
    fresh = TaggingEngine(load_fixtures([BUNDLED_FIXTURES]))
    ref = _ref(TURTLES.read_bytes())
    first = fresh.data(ref, tagger, ("en",))
    assert all(fresh.data(ref, tagger, ("en",)) is first for _ in range(4))
    assert fresh.data(ref, tagger, ("fi",)) is not first and [item.confidence for item in first] == [
        c.confidence for c in fresh.categorize(ref, tagger)]
