"""The official SDKs' large-file helpers against a served emulator: Python ``upload_large``, Node
``upload_large`` and ``upload_chunked_stream``, each sending several parts."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import cloudinary.api  # the sdk fixture reaches cloudinary.api and cloudinary.uploader
import cloudinary.uploader  # noqa: F401
import pytest
import requests

from tests import helpers
from tests.conftest import TURTLES

pytestmark = pytest.mark.e2e
IMAGE = TURTLES.read_bytes()



def large(path: str, options: str) -> str:
    """Node's ``upload_large`` returns a stream, not a promise: its callback gives the result."""
    return (f"return await new Promise((ok, ko) => cloudinary.uploader.upload_large({path!r}, {options}, "
            "(e, r) => e ? ko(e) : ok(r)));")


def test_python_upload_large_image_in_parts_with_auto_tagging(sdk: Any) -> None:
    result = sdk.uploader.upload_large(str(TURTLES), chunk_size=400, resource_type="image",
                                       public_id="large_turtles", categorization="imagga_tagging",
                                       auto_tagging=0.4, tags=["big"])
    assert result["public_id"] == "large_turtles"
    assert (result["width"], result["height"], result["bytes"]) == (320, 240, len(IMAGE))
    assert result["tags"] == ["big", "sea turtle", "loggerhead", "turtle"]
    assert result["info"]["categorization"]["imagga_tagging"]["status"] == "complete"


def test_python_upload_large_defaults_to_raw_and_keeps_the_extension(sdk: Any, tmp_path: Path) -> None:
    doc = tmp_path / "report.csv"
    doc.write_bytes(b"a,b,c\n" * 300)
    result = sdk.uploader.upload_large(str(doc), chunk_size=500, use_filename=True, unique_filename=False)
    assert (result["resource_type"], result["public_id"], result["bytes"]) == ("raw", "report.csv", 1800)
    assert "width" not in result and "format" not in result
    assert result["original_filename"] == "report"
    delivered = requests.get(result["url"], timeout=10)
    assert delivered.content == doc.read_bytes()


def test_python_upload_large_of_a_video(sdk: Any, tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(helpers.mp4())
    result = sdk.uploader.upload_large(str(clip), chunk_size=1000, resource_type="video", public_id="clip")
    assert (result["resource_type"], result["format"], result["width"], result["height"]) == ("video", "mp4", 64, 48)
    assert result["duration"] == pytest.approx(1.0, abs=0.1)
    assert result["video"]["codec"] == "h264"


def test_python_upload_large_of_a_stream(sdk: Any) -> None:
    import io

    result = sdk.uploader.upload_large(io.BytesIO(IMAGE), chunk_size=300, resource_type="image")
    assert result["width"] == 320 and result["etag"] == hashlib.md5(IMAGE).hexdigest()


def test_node_upload_large_image_in_parts(node: Any) -> None:
    result = node(large(str(TURTLES), "{chunk_size: 300, resource_type: 'image', public_id: 'node_large', "
                              "categorization: 'imagga_tagging', auto_tagging: 0.4}"))
    assert result["public_id"] == "node_large"
    assert result["bytes"] == len(IMAGE) and result["tags"] == ["sea turtle", "loggerhead", "turtle"]


def test_node_upload_large_raw_default(node: Any, tmp_path: Path) -> None:
    doc = tmp_path / "notes.txt"
    doc.write_bytes(b"hello chunked world\n" * 100)
    result = node(large(str(doc), "{chunk_size: 700}"))
    assert result["resource_type"] == "raw" and result["bytes"] == 2000


def test_node_upload_chunked_stream_with_unknown_total(node: Any) -> None:
    """Node sends ``Content-Range: bytes a-b/-1`` until the last part."""
    result = node(
        "const fs = require('fs');"
        "return await new Promise((ok, ko) => {"
        " const s = cloudinary.uploader.upload_chunked_stream({chunk_size: 250, public_id: 'node_stream'},"
        "   (e, r) => e ? ko(e) : ok(r));"
        f" fs.createReadStream({str(TURTLES)!r}).pipe(s); }});")
    assert result["public_id"] == "node_stream" and result["bytes"] == len(IMAGE) and result["width"] == 320
