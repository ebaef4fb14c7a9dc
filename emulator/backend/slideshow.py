"""Upload API ``create_slideshow``: an MP4 (H.264) made of still images, encoded with PyAV.

The manifest (``manifest_json``, or ``manifest_transformation``'s ``fn_render:`` form) names the size ``w``/``h``,
the length ``du`` (seconds), the frame rate ``fps``, each slide's time ``sdur`` (ms) and the slides. Each image is
fitted inside the frame on black and shown for ``sdur`` (or an equal share of ``du``) with a cut to the next:
transitions (``tdur``) are not drawn. Limits keep one request's work bounded.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageOps

from emulator import media
from emulator.errors import BadRequest

MAX_SIDE = 1920
MAX_FRAMES = 900  # e.g. 30 s at 30 fps
MAX_SLIDES = 50
DEFAULT_SIZE = (500, 500)
DEFAULT_DURATION = 10.0
DEFAULT_FPS = 20


@dataclass(frozen=True)
class Manifest:
    """A slideshow as its manifest describes it; ``slides`` are public ids (``i:<id>``) or delivery URLs."""

    slides: tuple[str, ...]
    width: int = DEFAULT_SIZE[0]
    height: int = DEFAULT_SIZE[1]
    duration: float | None = None  # seconds; None: the slides' times, or the default
    fps: int = DEFAULT_FPS
    slide_ms: int | None = None


def check(manifest: Manifest) -> None:
    """Refuse a manifest whose video would exceed the limits, before any image is read."""
    if not manifest.slides:
        raise BadRequest("Invalid manifest - slides must list at least one slide")
    if len(manifest.slides) > MAX_SLIDES:
        raise BadRequest(f"Invalid manifest - {len(manifest.slides)} slides. The emulator makes at most {MAX_SLIDES}")
    if not (2 <= manifest.width <= MAX_SIDE and 2 <= manifest.height <= MAX_SIDE):
        raise BadRequest(f"Invalid manifest - w and h must be 2 to {MAX_SIDE} pixels")
    if not 1 <= manifest.fps <= 60:
        raise BadRequest("Invalid manifest - fps must be 1 to 60")
    frames = sum(_frames_per_slide(manifest))
    if frames > MAX_FRAMES:
        raise BadRequest(f"Invalid manifest - {frames} frames. The emulator encodes at most {MAX_FRAMES} "
                         "(du × fps)")


def render(manifest: Manifest, images: Sequence[bytes]) -> bytes:
    """The MP4 bytes: each image fitted into the frame, held for its share of the video."""
    import av  # lazily: FFmpeg's libraries load only when a slideshow is made

    width, height = manifest.width // 2 * 2, manifest.height // 2 * 2  # H.264's 4:2:0 wants even sides
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=manifest.fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        pts = 0
        for data, count in zip(images, _frames_per_slide(manifest), strict=True):
            still = av.VideoFrame.from_image(_fitted(data, (width, height)))  # type: ignore[no-untyped-call]
            for _ in range(count):
                frame = still.reformat(format="yuv420p")
                frame.pts = pts
                pts += 1
                container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return out.getvalue()


def _frames_per_slide(manifest: Manifest) -> list[int]:
    count = len(manifest.slides)
    if manifest.slide_ms is not None and manifest.duration is None:
        return [max(1, round(manifest.slide_ms / 1000 * manifest.fps))] * count
    total = max(count, round((manifest.duration or DEFAULT_DURATION) * manifest.fps))
    share, extra = divmod(total, count)
    return [share + (1 if i < extra else 0) for i in range(count)]


def _fitted(data: bytes, size: tuple[int, int]) -> Image.Image:
    try:
        media.inspect(data)
        with Image.open(io.BytesIO(data)) as opened:
            opened.seek(0)
            picture = ImageOps.exif_transpose(opened).convert("RGB")
    except (OSError, ValueError) as exc:
        raise BadRequest(f"Invalid slide - {exc}") from exc
    picture.thumbnail(size)
    canvas = Image.new("RGB", size, "black")
    canvas.paste(picture, ((size[0] - picture.width) // 2, (size[1] - picture.height) // 2))
    return canvas
