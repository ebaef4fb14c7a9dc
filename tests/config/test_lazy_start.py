"""Starting loads only what serving needs: heavy libraries, the views' modules and the backend wait for the
request that uses them, and the bundled fixtures come from a compact cache that their files still rule. No
timings: what is loaded is checked.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from emulator.app import create_app
from emulator.backend.models import ResourceKey
from emulator.config import BUNDLED_FIXTURES, load_config
from emulator.errors import ConfigError
from emulator.tagging import fixtures
from emulator.tagging.fixtures import load_fixtures
from tests.helpers import ADMIN, upload_ok

AUTH = ("123456789012345", "emulator_secret")

# Libraries a ping never needs: the schema validator (fixture entries), the YAML parser (the OpenAPI page),
# the archive builders, video decoding, the script engine and the multi-process server.
HEAVY = ("jsonschema", "yaml", "tarfile", "av", "quickjs", "gunicorn")

# What a start and a first ping leave unloaded: the views' modules, the request parsers, the backend's records
# and services, the SQLite adapters, the services' wiring, Pillow, and the multipart reader (first multipart body).
UNLOADED_AT_START = (
    "emulator.api.admin", "emulator.api.upload", "emulator.api.account", "emulator.api.params",
    "emulator.api.params_extras", "emulator.api.render", "emulator.web.views", "emulator.backend.models",
    "emulator.backend.queries", "emulator.backend.assets", "emulator.storage.sqlite", "emulator.storage.rows",
    "emulator.wiring", "emulator.media", "PIL", "emulator.api.formparts", "multipart",
)

_PACKAGES = tuple(f"{name}." for name in UNLOADED_AT_START)

_SERVE_START = """
import json, sys
import emulator.cli
from emulator.app import create_app
from emulator.config import load_config
app = create_app(load_config({}, env={}))
before = sorted(sys.modules)
answer = app.test_client().get("/v1_1/demo/ping", auth=("123456789012345", "emulator_secret"))
assert answer.status_code == 200, answer.status_code
print(json.dumps({"before": before, "after_ping": sorted(sys.modules)}))
"""

_LOADED = """
import json, sys
from emulator.app import create_app
from emulator.config import load_config
app = create_app(load_config({}, env={}))
answer = app.test_client().get("/v1_1/demo/ping", auth=("123456789012345", "emulator_secret"))
assert answer.status_code == 200, answer.status_code
print(json.dumps(sorted(sys.modules)))
"""


def _loaded(script: str, cache: Path) -> set[str]:
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(cache), "XDG_CACHE_HOME": str(cache)})
    return {name.partition(".")[0] for name in json.loads(out.stdout.splitlines()[-1])}


def test_importing_the_cli_loads_no_heavy_library(tmp_path: Path) -> None:
    loaded = _loaded("import json, sys, emulator.cli; print(json.dumps(sorted(sys.modules)))", tmp_path)
    assert "emulator" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_a_start_and_a_first_ping_load_no_view_parser_record_or_service(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-c", _SERVE_START], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)})
    loaded = json.loads(out.stdout.splitlines()[-1])
    for moment in ("before", "after_ping"):
        modules = set(loaded[moment])
        assert {"emulator.app", "emulator.api.families", "emulator.storage.opening"} <= modules
        early = sorted(m for m in modules if m in UNLOADED_AT_START or m.startswith(_PACKAGES))
        assert early == [], (moment, early)


def test_the_first_requests_after_a_ping_start_the_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    app = create_app(load_config({}, env={}))
    client = app.test_client()
    try:
        assert client.get(f"{ADMIN}/ping", auth=AUTH).status_code == 200
        body = upload_ok(client, "turtles", categorization="imagga_tagging", auto_tagging="0.5", tags="first")
        seed = json.loads((BUNDLED_FIXTURES / "images" / "turtles.json").read_text())["imagga_tagging"]
        assert body["tags"] == ["first", *(c["tag"] for c in seed if c["confidence"] >= 0.5)]
        found = client.post(f"{ADMIN}/resources/search", json={"expression": "tags=first"}, auth=AUTH).get_json()
        assert [r["public_id"] for r in found["resources"]] == ["turtles"]
        listed = client.get(f"{ADMIN}/resources/image", auth=AUTH).get_json()
        assert sorted(r["public_id"] for r in listed["resources"]) == ["sample", "turtles"]  # the cloud's sample
        delivered = client.get("/demo/image/upload/turtles.jpg")
        assert delivered.status_code == 200 and delivered.mimetype == "image/jpeg"
    finally:
        app.extensions["cloudinary_emulator"].close()


def test_a_service_asked_for_by_many_threads_at_once_is_built_once(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    em = create_app(load_config({}, env={})).extensions["cloudinary_emulator"]
    seen: list[object] = []
    barrier = threading.Barrier(8)

    def ask() -> None:
        barrier.wait()
        seen.append(em.assets)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(seen) == 8 and all(s is seen[0] for s in seen)
        assert em.storage.get(ResourceKey("demo", "sample")) is not None  # the library started with it
    finally:
        em.close()


def test_an_app_answering_its_first_ping_has_loaded_no_heavy_library(tmp_path: Path) -> None:
    first = _loaded(_LOADED, tmp_path)  # reads and validates the bundled fixtures, writes the cache
    assert "jsonschema" in first
    again = _loaded(_LOADED, tmp_path)
    assert again.isdisjoint(HEAVY), sorted(again & set(HEAVY))


@pytest.fixture
def bundled_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled fixtures standing in for them, so a test may change its files."""
    copy = tmp_path / "bundled"
    shutil.copytree(BUNDLED_FIXTURES, copy)
    monkeypatch.setattr(fixtures, "BUNDLED_FIXTURES", copy)
    return copy


def _fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if a new process started: nothing read yet in memory (the cache file stays)."""
    monkeypatch.setattr(fixtures, "_READ", {})


def test_a_start_from_the_cache_reads_what_the_files_say(bundled_copy: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    from_files = load_fixtures([bundled_copy], cache_dir=cache)
    assert len(list(cache.glob("fixtures-*.json"))) == 1
    _fresh_process(monkeypatch)
    assert load_fixtures([bundled_copy], cache_dir=cache) == from_files


def test_the_cache_keeps_only_the_most_recent_installations(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh_process(monkeypatch)
    cache = tmp_path / "cache"
    cache.mkdir()
    for i in range(fixtures.CACHE_FILES_KEPT + 3):  # caches of earlier installs, oldest first
        old = cache / f"fixtures-{i:016x}.json"
        old.write_text("{}")
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    load_fixtures([BUNDLED_FIXTURES], cache_dir=cache)
    left = sorted(f.name for f in cache.glob("fixtures-*.json"))
    assert len(left) == fixtures.CACHE_FILES_KEPT
    assert fixtures._cache_file(BUNDLED_FIXTURES, cache).name in left  # the one just written
    older = [f"fixtures-{i:016x}.json" for i in range(fixtures.CACHE_FILES_KEPT + 3)]
    assert set(older[-(fixtures.CACHE_FILES_KEPT - 1):]) <= set(left)  # the most recent of the others stay


def test_a_changed_fixture_file_is_read_again(bundled_copy: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    assert load_fixtures([bundled_copy], cache_dir=cache).translations["fr"]["turtle"] != "Tortue de test"
    french = bundled_copy / "translations" / "fr.json"
    table = json.loads(french.read_text(encoding="utf-8"))
    french.write_text(json.dumps({**table, "turtle": "Tortue de test"}, ensure_ascii=False), encoding="utf-8")
    _fresh_process(monkeypatch)
    assert load_fixtures([bundled_copy], cache_dir=cache).translations["fr"]["turtle"] == "Tortue de test"
    # and an invalid change is still refused, as on a start without a cache
    (bundled_copy / "images" / "turtles.json").write_text('{"match": {"filename": "turtles"}, "imagga_tagging": 3}')
    _fresh_process(monkeypatch)
    with pytest.raises(ConfigError, match=r"turtles\.json"):
        load_fixtures([bundled_copy], cache_dir=cache)


def test_an_unreadable_cache_falls_back_to_the_files(bundled_copy: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    expected = load_fixtures([bundled_copy], cache_dir=cache)
    for file in cache.glob("fixtures-*.json"):
        file.write_text("{not json")
    _fresh_process(monkeypatch)
    assert load_fixtures([bundled_copy], cache_dir=cache) == expected
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache directory would be")
    _fresh_process(monkeypatch)
    assert load_fixtures([bundled_copy], cache_dir=blocked) == expected


def test_a_user_directory_still_extends_the_cached_bundle(bundled_copy: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "mine"
    (mine / "tags").mkdir(parents=True)
    (mine / "tags" / "cats.json").write_text(json.dumps(
        [{"match": {"public_id": "cat"}, "imagga_tagging": [{"tag": "cat", "confidence": 0.9}]}]))
    cache = tmp_path / "cache"
    load_fixtures([bundled_copy], cache_dir=cache)
    _fresh_process(monkeypatch)
    both = load_fixtures([bundled_copy, mine], cache_dir=cache)
    assert both.lookup("public_id", "cat") is not None
    assert both.lookup("filename", "turtles") is not None


def test_the_first_categorization_after_a_cached_start_gives_the_fixture_tags(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _fresh_process(monkeypatch)
    create_app(load_config({}, env={})).extensions["cloudinary_emulator"].close()  # writes the cache
    assert list((tmp_path / "cloudinary-emulator").glob("fixtures-*.json"))
    _fresh_process(monkeypatch)
    app = create_app(load_config({}, env={}))
    try:
        body = upload_ok(app.test_client(), "turtles", categorization="imagga_tagging", auto_tagging="0.5")
        seed = json.loads((BUNDLED_FIXTURES / "images" / "turtles.json").read_text())["imagga_tagging"]
        assert body["tags"] == [c["tag"] for c in seed if c["confidence"] >= 0.5]
        details = app.test_client().get(f"{ADMIN}/resources/image/upload/turtles",
                                        auth=("123456789012345", "emulator_secret")).get_json()
        assert details["public_id"] == "turtles"
    finally:
        app.extensions["cloudinary_emulator"].close()
