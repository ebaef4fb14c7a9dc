"""Presets, transformations, folders, streaming profiles, triggers and upload mappings over the account store."""

from __future__ import annotations

import pytest

from emulator.backend.account import codec
from emulator.backend.account.folders import FolderService
from emulator.backend.account.mappings import UploadMappings
from emulator.backend.account.presets import PresetService, PresetSpec
from emulator.backend.account.streaming import StreamingProfiles
from emulator.backend.account.transformations import TransformationService
from emulator.backend.account.triggers import Triggers
from emulator.clock import FrozenClock, IdSource
from emulator.errors import AlreadyExists, BadRequest, NotFound
from emulator.storage.account_sql import SQLiteAccountStore

C = "demo"
CLOCK = FrozenClock(1_700_000_000)


def test_codec_round_trip() -> None:
    text = "c_scale,l_text:arial_20:hi,w_100"
    assert codec.info(text) == [{"crop": "scale", "overlay": "text:arial_20:hi", "width": 100}]
    assert codec.canonical("w_100,c_scale/e_sepia/png") == "c_scale,w_100/e_sepia/png"
    assert codec.info("c_scale,w_2.0/png") == [{"crop": "scale", "width": 2.0, "format": "png"}]
    with pytest.raises(BadRequest, match="Invalid transformation"):
        codec.info("nonsense")


def test_presets_newest_first_update_merges(store: SQLiteAccountStore) -> None:
    presets = PresetService(store, CLOCK, IdSource(seed=1))
    presets.create(C, PresetSpec("one", params={"folder": "f"}, settings={"folder": "f"}))
    made = presets.create(C, PresetSpec(None, True, {"tags": "a,b"}, {"tags": ["a", "b"]}))
    assert [p.name for p in presets.list(C, 10, None).presets] == [made.name, "one"]
    with pytest.raises(AlreadyExists, match="already exists"):
        presets.create(C, PresetSpec("one"))
    updated = presets.update(C, "one", PresetSpec(unsigned=True, params={"colors": "true"}, settings={"colors": True}))
    assert updated.render() == {"name": "one", "unsigned": True, "settings": {"folder": "f", "colors": True}}
    presets.delete(C, "one")
    with pytest.raises(NotFound, match="Upload preset one not found"):
        presets.get(C, "one")
    page = presets.list(C, 1, None)
    assert page.next_cursor is None and len(page.presets) == 1


def test_named_and_used_transformations(store: SQLiteAccountStore) -> None:
    service = TransformationService(store, CLOCK)
    service.create(C, "thumb", "w_102,c_scale")
    assert service.get(C, "thumb")["info"] == [{"crop": "scale", "width": 102}]
    assert service.get(C, "t_thumb")["name"] == "t_thumb"
    service.update(C, "thumb", True, "c_scale,w_103")
    got = service.get(C, "thumb")
    assert (got["info"], got["allowed_for_strict"], got["used"]) == ([{"crop": "scale", "width": 103}], True, False)
    service.record_use(C, "w_100,c_scale")
    assert service.get(C, "c_scale,w_100")["used"] is True
    assert [t["named"] for t in service.list(C, True, 10, None).items] == [True]
    service.delete(C, "c_scale,w_100")
    with pytest.raises(NotFound):
        service.get(C, "c_scale,w_100")
    with pytest.raises(AlreadyExists):
        service.create(C, "thumb", "w_1")
    assert service.named_definition(C, "t_thumb") == "c_scale,w_103"


class _Library:
    def __init__(self) -> None:
        self.folders = {"a/b": 2, "c": 1}

    def asset_folders(self, cloud: str) -> list[str]:
        return list(self.folders)

    def count_in_folder(self, cloud: str, path: str) -> int:
        return sum(n for f, n in self.folders.items() if f == path or f.startswith(path + "/"))

    def move_asset_folder(self, cloud: str, old: str, new: str) -> int:
        moved = {f: n for f, n in self.folders.items() if f == old or f.startswith(old + "/")}
        for f in moved:
            self.folders[new + f[len(old):]] = self.folders.pop(f)
        return sum(moved.values())


def test_folders_tree_delete_rename_search(store: SQLiteAccountStore) -> None:
    library = _Library()
    folders = FolderService(store, library, CLOCK)
    folders.create(C, "/x/y/")
    assert [f.path for f in folders.children(C, None, 10, None).folders] == ["a", "c", "x"]
    assert [f.path for f in folders.children(C, "a", 10, None).folders] == ["a/b"]
    with pytest.raises(NotFound, match="Can't find folder with path nope"):
        folders.children(C, "nope", 10, None)
    with pytest.raises(BadRequest, match="Folder is not empty"):
        folders.delete(C, "a")
    assert folders.delete(C, "x") == ["x", "x/y"]
    before, after = folders.rename(C, "a", "z")
    assert (before.path, after.path) == ("a", "z") and "z/b" in library.folders
    assert [f.path for f in folders.search(C, "name:b", 10, None, False).folders] == ["z/b"]
    assert [f.path for f in folders.search(C, "path:z", 10, None, False).folders] == ["z", "z/b"]
    page = folders.children(C, None, 1, None)
    assert page.total_count == 2 and page.next_cursor == "c"
    assert [f.path for f in folders.children(C, None, 1, page.next_cursor).folders] == ["z"]


def test_streaming_profiles(store: SQLiteAccountStore) -> None:
    profiles = StreamingProfiles(store)
    assert {"4k", "full_hd", "hd", "sd", "full_hd_wifi", "full_hd_lean", "hd_lean"} <= {
        p["name"] for p in profiles.list(C)}
    made = profiles.create(C, "mine", None, '[{"transformation": "br_5m,c_limit,h_1200,w_1200"}]')
    assert made["representations"][0]["transformation"] == [{"bit_rate": "5m", "crop": "limit", "height": 1200,
                                                              "width": 1200}]
    profiles.update(C, "mine", "Mine", '[{"transformation": "c_scale,w_1000"}]')
    assert profiles.get(C, "mine")["display_name"] == "Mine"
    assert profiles.delete(C, "mine") == "deleted"
    with pytest.raises(NotFound):
        profiles.get(C, "mine")
    with pytest.raises(BadRequest, match="representations"):
        profiles.create(C, "bad", None, None)


def test_triggers(store: SQLiteAccountStore) -> None:
    triggers = Triggers(store, CLOCK, IdSource(seed=3))
    made = triggers.create(C, "https://example.com/hook", "upload", None)
    assert made["uri_type"] == "webhook"
    assert triggers.webhooks(C, "upload") == ("https://example.com/hook",)
    triggers.update(C, made["id"], "https://example.com/other")
    assert triggers.list(C, "upload")[0]["uri"] == "https://example.com/other"
    with pytest.raises(BadRequest, match="Invalid event_type"):
        triggers.create(C, "https://example.com/hook", "uploads", None)
    with pytest.raises(BadRequest, match="poll://"):
        triggers.create(C, "https://example.com/hook", "upload", "poll")
    triggers.delete(C, made["id"])
    assert triggers.list(C, None) == []


def test_upload_mappings(store: SQLiteAccountStore) -> None:
    mappings = UploadMappings(store)
    mappings.create(C, "wiki", "https://upload.wikimedia.org/wikipedia")
    mappings.update(C, "wiki", "https://example.com/")
    assert mappings.get(C, "wiki") == {"folder": "wiki", "template": "https://example.com/"}
    with pytest.raises(BadRequest, match="Invalid template"):
        mappings.create(C, "x", "ftp://nope")
    mappings.delete(C, "wiki")
    assert mappings.list(C, 10, None).mappings == []
