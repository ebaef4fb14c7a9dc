"""Helpers shared by the test modules (fixtures are in conftest.py): signed uploads through the Flask client, free
ports, a ``cloudinary-emulator serve`` process that always stops, and small media files made with PyAV. No test
module imports another."""

from __future__ import annotations

import io
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

import requests
from flask.testing import FlaskClient

from emulator import signing
from emulator.backend.models import Moderation, Resource, ResourceKey
from emulator.backend.queries import SearchSpec, SortKey
from emulator.backend.search import parse
from tests.conftest import KEY, SECRET, TURTLES, signed

if TYPE_CHECKING:
    from flask import Flask

    from emulator.runtime import Emulator
    from emulator.storage.sqlite import SQLiteStorage

BIN = Path(sys.executable).parent
ADMIN = "/v1_1/demo"
UPLOAD = f"{ADMIN}/image/upload"


def emulator_of(app: Flask) -> Emulator:
    """The app's emulator (its services, stores and control plane), typed."""
    em: Emulator = app.extensions["cloudinary_emulator"]
    return em


def file_part(data: bytes | None = None, name: str = "turtles.jpg") -> tuple[io.BytesIO, str]:
    """A multipart file part for the Flask client (the turtles image unless ``data`` is given)."""
    return io.BytesIO(data if data is not None else TURTLES.read_bytes()), name


def upload(client: FlaskClient, fields: dict[str, str], data: bytes | None = None,
           name: str = "turtles.jpg", **kwargs: Any) -> Any:
    """A signed upload as an SDK sends it; ``kwargs`` go to :func:`tests.conftest.signed`."""
    body: dict[str, Any] = {**signed(fields, **kwargs), "file": file_part(data, name)}
    return client.post(UPLOAD, data=body, content_type="multipart/form-data")


def upload_ok(client: FlaskClient, public_id: str, **fields: str) -> dict[str, Any]:
    """Upload the turtles as ``public_id`` and return the answer, which must be a 200."""
    response = upload(client, {"public_id": public_id, **fields}, name="t.jpg")
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def signed_form(fields: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
    """Upload-API fields as the SDKs send them: arrays as ``name[]``, signed once under the bare name."""
    out: dict[str, str | list[str]] = {**fields, "timestamp": str(int(time.time()))}
    out["signature"] = signing.sign(out, SECRET)
    out["api_key"] = KEY
    return {f"{k}[]" if isinstance(v, list) else k: v for k, v in out.items()}


def make(public_id: str, *, created_at: float = 1_700_000_000.0, tags: tuple[str, ...] = (),
         context: dict[str, str] | None = None, width: int = 640, height: int = 480, size: int = 1000,
         fmt: str = "jpg", sha: str = "a" * 64, cloud: str = "demo", type: str = "upload") -> Resource:
    """A resource record for storage-level tests."""
    return Resource(key=ResourceKey(cloud, public_id, "image", type), asset_id=public_id.ljust(32, "0")[:32],
                    version=int(created_at), version_id="v" * 32, format=fmt, width=width, height=height,
                    bytes=size, etag="e" * 32, sha256=sha, created_at=created_at,
                    original_filename=public_id.rpartition("/")[2], tags=tags, context=context or {})



def resource_kinds() -> list[Resource]:
    """One resource of each kind a page renders differently: an image with tags and context, one without size, raw,
    video, audio, one with every optional field (access, display name, asset folder, metadata, moderation), a
    placeholder with a backup, and a private one without tags or context."""
    image = make("shop/shoes/red", tags=("b", "a"), context={"alt": "red shoes"}, width=1000, height=333)
    return [
        image,
        make("top", width=0, height=0),
        replace(image, key=ResourceKey("demo", "docs/readme.txt", "raw"), format="txt", width=0, height=0),
        replace(image, key=ResourceKey("demo", "clips/intro", "video"), format="mp4",
                media={"width": 1000, "height": 333, "duration": 2.5, "is_audio": False}),
        replace(image, key=ResourceKey("demo", "clips/song", "video"), format="mp3",
                media={"duration": 3.0, "is_audio": True}),
        replace(image, access_mode="authenticated", display_name="Shown", asset_folder="elsewhere",
                metadata={"sku": "42", "sizes": ["s", "m"]}, moderation=(Moderation("manual", "pending"),)),
        replace(image, placeholder=True, backup=True),
        replace(image, key=ResourceKey("demo", "private/one", "image", "private"), context={}, tags=()),
    ]

BENCH = Path(__file__).resolve().parents[1] / "bench"


def run_bench(script: str, *args: str, ok: tuple[int, ...] = (0,),
              timeout: int = 180) -> subprocess.CompletedProcess[str]:
    """Run ``bench/<script>`` small, as a smoke test: it must finish with an ``ok`` exit status (speed is
    measured there, never asserted here)."""
    done = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode in ok, done.stdout + done.stderr
    return done


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """``cloudinary-emulator serve`` in a process of its own, as a user runs it; a context manager that stops it."""

    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([str(BIN / "cloudinary-emulator"), "serve", "--port", str(self.port), *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.banner = [self.proc.stdout.readline() for _ in range(2)] if self.proc.stdout else []
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/_emulator/health", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"server did not start: {self.proc.stderr.read() if self.proc.stderr else ''}")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait()

    def __enter__(self) -> Served:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


# -- small media files made at test time with PyAV (FFmpeg's encoders from the ``av`` wheel): no downloads, no
# committed binaries. Each is a few KB: 64×48 pixels, ten frames at 10 fps, a second of silence.

WIDTH, HEIGHT, FRAMES, FPS = 64, 48, 10, 10


@cache
def mp4() -> bytes:
    """H.264 video with AAC audio in MP4."""
    return _media("mp4", "libx264", "aac", 8000)


@cache
def webm() -> bytes:
    """VP8 video with Opus audio in WebM."""
    return _media("webm", "libvpx", "libopus", 48000)


@cache
def mp3() -> bytes:
    """MP3 audio, no video."""
    return _media("mp3", None, "libmp3lame", 8000)


def _media(container: str, video_codec: str | None, audio_codec: str | None, sample_rate: int) -> bytes:
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as out:
        video = out.add_stream(video_codec, rate=FPS) if video_codec else None
        audio = out.add_stream(audio_codec, rate=sample_rate) if audio_codec else None
        if video is not None:
            _video_frames(out, video)
        if audio is not None:
            _audio_frames(out, audio)
    return buffer.getvalue()


def _video_frames(out: Any, stream: Any) -> None:
    import av

    stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    for index in range(FRAMES):
        frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes([index * 20 % 256]) * plane.buffer_size)
        frame.pts = index
        out.mux(stream.encode(frame))
    out.mux(stream.encode())


def _audio_frames(out: Any, stream: Any) -> None:
    import av

    ctx = stream.codec_context
    samples = ctx.frame_size or 1024
    for index in range(ctx.sample_rate // samples + 1):
        frame = av.AudioFrame(format=ctx.format.name, layout=ctx.layout.name, samples=samples)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate, frame.pts = ctx.sample_rate, index * samples
        out.mux(stream.encode(frame))
    out.mux(stream.encode())


Page = tuple[list[str], "SortKey | None", int]  # a search page's ids, its next key and its total_count


def search_walk(store: SQLiteStorage, expression: str, sort_by: tuple[tuple[str, str], ...], limit: int,
                *, now: float) -> list[Page]:
    """Every page of a search straight from the storage, following each page's next key."""
    out: list[Page] = []
    after: SortKey | None = None
    while True:
        page = store.search(SearchSpec("demo", parse(expression, now), sort_by, limit, after))  # type: ignore[arg-type]
        out.append(([r.public_id for r in page.items], page.next_key, page.total_count))
        if page.next_key is None:
            return out
        after = page.next_key


def search_pages(store: SQLiteStorage, expression: str, limit: int, direction: Literal["asc", "desc"] = "desc",
                 *, now: float) -> tuple[list[str], list[int]]:
    """Every page of a search sorted by creation: the ids in order and each page's ``total_count``."""
    pages = search_walk(store, expression, (("created_at", direction),), limit, now=now)
    return [public_id for ids, _, _ in pages for public_id in ids], [total for _, _, total in pages]
