"""What is read from media files: the kind a file is, and a video's or audio file's facts."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from emulator import mediafile
from emulator.errors import BadRequest
from tests import helpers
from tests.conftest import SAMPLE


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("name", "make", "kind"), [
    ("a.mp4", helpers.mp4, "video"), ("b.webm", helpers.webm, "video"), ("c.mp3", helpers.mp3, "video"),
    ("d.jpg", SAMPLE.read_bytes, "image"), ("e.txt", lambda: b"hello\n" * 50, "raw"),
    ("f.bin", lambda: os.urandom(20_000), "raw"), ("g.pdf", lambda: b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", "raw"),
])
def test_auto_files_each_kind_under_its_resource_type(tmp_path: Path, name: str, make: Callable[[], bytes],
                                                       kind: str) -> None:
    assert mediafile.kind_of(_file(tmp_path, name, make())) == kind


def test_an_mp4_reports_size_duration_rates_and_both_streams(tmp_path: Path) -> None:
    facts = mediafile.probe(_file(tmp_path, "clip.mp4", helpers.mp4()), "clip.mp4")
    assert (facts.format, facts.width, facts.height, facts.is_audio) == ("mp4", 64, 48, False)
    assert facts.duration == pytest.approx(1.0, abs=0.1)
    assert facts.frame_rate == 10.0 and facts.nb_frames == 10 and facts.bit_rate > 0
    assert facts.video["codec"] == "h264" and facts.video["pix_format"] == "yuv420p"
    assert facts.audio["codec"] == "aac" and facts.audio["frequency"] == 8000


def test_a_webm_is_webm_with_vp8_and_opus(tmp_path: Path) -> None:
    facts = mediafile.probe(_file(tmp_path, "clip.webm", helpers.webm()), "clip.webm")
    assert (facts.format, facts.video["codec"], facts.audio["codec"]) == ("webm", "vp8", "opus")


def test_an_mp3_is_audio_without_width_or_height(tmp_path: Path) -> None:
    facts = mediafile.probe(_file(tmp_path, "song.mp3", helpers.mp3()), "song.mp3")
    fields = facts.fields()
    assert fields["is_audio"] is True and "width" not in fields and "height" not in fields
    assert (facts.format, facts.audio["codec"]) == ("mp3", "mp3")
    assert fields["video"] == {}


@pytest.mark.parametrize("data", [b"not a video at all\n" * 100, os.urandom(30_000), SAMPLE.read_bytes(), b""])
def test_anything_else_is_an_invalid_video_file(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(BadRequest, match=r"^Invalid video file$"):
        mediafile.probe(_file(tmp_path, "x.mp4", data), "x.mp4")


def test_a_truncated_video_is_invalid(tmp_path: Path) -> None:
    with pytest.raises(BadRequest, match="Invalid video file"):
        mediafile.probe(_file(tmp_path, "cut.mp4", helpers.mp4()[:300]), "cut.mp4")


def test_raw_format_is_the_extension() -> None:
    assert mediafile.raw_format("Report.PDF") == "pdf"
    assert mediafile.raw_format("archive.tar.gz") == "gz"
    assert mediafile.raw_format("README") == ""
