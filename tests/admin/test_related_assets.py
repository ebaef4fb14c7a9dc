"""Related assets through the official Python SDK: ``add_related_assets``, ``delete_related_assets``, their
``_by_asset_ids`` forms, and ``resource(related=True)``. Relations are two-way and kept across a restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.app import create_app
from emulator.clock import IdSource
from emulator.config import load_config
from emulator.server import EmulatorServer
from tests.conftest import SAMPLE


def _upload(public_id: str) -> dict[str, Any]:
    import cloudinary.uploader

    result: dict[str, Any] = cloudinary.uploader.upload(str(SAMPLE), public_id=public_id)
    return result


def _related(public_id: str) -> list[str]:
    import cloudinary.api

    return [r["public_id"] for r in cloudinary.api.resource(public_id, related=True)["related_assets"]]


def test_relating_is_two_way_and_each_target_is_answered(sdk: Any) -> None:
    import cloudinary.api

    for name in ("a", "b", "c"):
        _upload(name)
    answer = cloudinary.api.add_related_assets("a", ["image/upload/b", "image/upload/c", "image/upload/nope"])
    assert [s["asset"] for s in answer["success"]] == ["image/upload/b", "image/upload/c"]
    assert answer["success"][0] == {"message": "success", "code": "success_ids", "asset": "image/upload/b",
                                    "status": 200}
    assert [(f["asset"], f["status"]) for f in answer["failed"]] == [("image/upload/nope", 404)]
    assert (_related("a"), _related("b")) == (["b", "c"], ["a"])
    assert "related_assets" not in cloudinary.api.resource("a")


def test_unrelating_by_public_id_and_by_asset_id(sdk: Any) -> None:
    import cloudinary.api

    a, b, c = _upload("a"), _upload("b"), _upload("c")
    cloudinary.api.add_related_assets_by_asset_ids(a["asset_id"], [b["asset_id"], c["asset_id"]])
    assert _related("a") == ["b", "c"]
    cloudinary.api.delete_related_assets("a", ["image/upload/b"])
    cloudinary.api.delete_related_assets_by_asset_ids(c["asset_id"], [a["asset_id"]])
    assert (_related("a"), _related("b"), _related("c")) == ([], [], [])


def test_a_relation_follows_a_rename_and_ends_with_the_asset(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    _upload("a"), _upload("b"), _upload("c")
    cloudinary.api.add_related_assets("a", ["image/upload/b", "image/upload/c"])
    cloudinary.uploader.rename("b", "b2")
    cloudinary.uploader.destroy("c")
    assert _related("a") == ["b2"]


def test_an_unknown_source_is_a_404_and_more_than_ten_targets_a_400(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.exceptions

    with pytest.raises(cloudinary.exceptions.NotFound, match="Resource not found - nobody"):
        cloudinary.api.add_related_assets("nobody", ["image/upload/sample"])
    with pytest.raises(cloudinary.exceptions.BadRequest, match="at most 10"):
        cloudinary.api.add_related_assets("sample", [f"image/upload/x{i}" for i in range(11)])
    with pytest.raises(cloudinary.exceptions.BadRequest, match="Missing required parameter - assets_to_relate"):
        cloudinary.api.add_related_assets("sample", [])


@pytest.fixture
def on_disk(tmp_path: Path) -> Iterator[Any]:
    import cloudinary

    def serve() -> tuple[Any, EmulatorServer]:
        app = create_app(load_config({"data_dir": str(tmp_path)}, env={}), ids=IdSource(seed=3))
        server = EmulatorServer(app)
        server.__enter__()
        cloudinary.config(upload_prefix=server.url)
        return app, server

    yield serve


def test_relations_survive_a_restart(sdk: Any, on_disk: Any) -> None:
    import cloudinary.api

    app, server = on_disk()
    try:
        _upload("a"), _upload("b")
        cloudinary.api.add_related_assets("a", ["image/upload/b"])
    finally:
        server.__exit__(None, None, None)
        app.extensions["cloudinary_emulator"].close()
    app, server = on_disk()
    try:
        assert _related("b") == ["a"]
    finally:
        server.__exit__(None, None, None)
        app.extensions["cloudinary_emulator"].close()
