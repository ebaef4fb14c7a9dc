"""Video, audio and raw files: what kind a file is, and the facts Cloudinary reports about a video or audio file.

Media files are read with PyAV (``av``, FFmpeg's libraries as a wheel: no Debian ffmpeg needed), imported
lazily so the emulator starts without paying for it. Only headers and the first packets are read: a 1 GB video
is probed without being decoded or loaded. Anything FFmpeg cannot demux into an audio or video stream is not
a media file (400 ``Invalid video file`` when ``video`` was asked for; ``raw`` under ``auto``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path, PurePath
from typing import IO, Any

from PIL import Image, UnidentifiedImageError

from emulator.errors import BadRequest

# FFmpeg's demuxer names → the ``format`` Cloudinary reports (the file's own extension wins when it is one
# of the demuxer's names, e.g. ``mov`` for a QuickTime file).
_CONTAINERS = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4", "matroska,webm": "webm", "mp3": "mp3", "ogg": "ogg",
               "wav": "wav", "avi": "avi", "flv": "flv", "aac": "aac", "flac": "flac", "mpegts": "ts",
               "mpeg": "mpeg", "asf": "wmv", "aiff": "aiff", "amr": "amr"}
_AUDIO_CONTAINERS = {"mov,mp4,m4a,3gp,3g2,mj2": "m4a", "matroska,webm": "webm", "ogg": "ogg"}
_CODECS = {"mp3float": "mp3", "aac_fixed": "aac", "mp2float": "mp2"}  # decoder names → codec names
_NOT_MEDIA = ("image2", "_pipe", "tty", "lrc", "srt", "webvtt", "ass", "subviewer", "jacosub", "mpl2", "txt")


@dataclass(frozen=True)
class VideoFacts:
    """What an upload response says about a video or audio file (audio is filed under ``video``)."""

    format: str
    width: int = 0
    height: int = 0
    duration: float = 0.0
    bit_rate: int = 0
    frame_rate: float | None = None
    nb_frames: int | None = None
    rotation: int = 0
    is_audio: bool = False
    video: dict[str, Any] = field(default_factory=dict)
    audio: dict[str, Any] = field(default_factory=dict)

    def fields(self) -> dict[str, Any]:
        """The response fields, in the order the real service lists them (width/height for video only)."""
        out: dict[str, Any] = {}
        if not self.is_audio:
            out |= {"width": self.width, "height": self.height}
        out |= {"duration": self.duration, "bit_rate": self.bit_rate}
        if self.frame_rate is not None:
            out["frame_rate"] = self.frame_rate
        if self.nb_frames is not None:
            out["nb_frames"] = self.nb_frames
        out |= {"rotation": self.rotation, "is_audio": self.is_audio, "video": dict(self.video),
                "audio": dict(self.audio)}
        return out


def is_image(path: Path | IO[bytes]) -> bool:
    """Whether Pillow recognises the file or stream (headers only)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as im:
                return bool(im.format)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False


def kind_of(path: Path) -> str:
    """``image``, ``video`` (also audio) or ``raw``: what ``resource_type=auto`` files the bytes under."""
    if is_image(path):
        return "image"
    try:
        probe(path, None)
    except BadRequest:
        return "raw"
    return "video"


def raw_format(filename: str | None) -> str:
    """A raw file's format: its extension, lower case (empty when it has none)."""
    return PurePath(filename or "").suffix.lstrip(".").lower()


def probe(path: Path, filename: str | None) -> VideoFacts:
    """Read a video or audio file's facts; anything else is 400 ``Invalid video file``."""
    import av  # lazily: FFmpeg's libraries load only when a media file is met

    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            return _facts(container, filename)
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError, ZeroDivisionError) as exc:
        raise BadRequest("Invalid video file") from exc


MAX_FRAMES_DECODED = 2000  # frames a thumbnail may decode after seeking to the key frame before its offset


def frame(path: Path, at: float, max_pixels: int) -> Image.Image:
    """The video's frame shown at ``at`` seconds (the first one at or after it; the last one when the video ends
    before), as an RGB image. A file with no video stream, or one too large to decode, is a 400."""
    import av

    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            stream = next((s for s in container.streams.video if not _is_cover_art(s)), None)
            if stream is None:
                raise BadRequest("The file has no video stream: no thumbnail can be made of it")
            ctx = stream.codec_context
            if int(ctx.width) * int(ctx.height) > max_pixels:
                raise BadRequest(f"Video frames of {ctx.width}x{ctx.height} exceed the emulator's limit of "
                                 f"{max_pixels // 1_000_000} megapixels")
            if at > 0 and stream.time_base:
                container.seek(int(at / stream.time_base), stream=stream, backward=True)
            return _frame_at(container, stream, at)
    except (av.FFmpegError, OSError, ValueError, ZeroDivisionError) as exc:
        raise BadRequest(f"Cannot read a frame of the video - {exc}") from exc


def _frame_at(container: Any, stream: Any, at: float) -> Image.Image:
    picked = None
    for count, decoded in enumerate(container.decode(stream)):
        picked = decoded
        if (decoded.time is not None and decoded.time >= at - 1e-6) or count >= MAX_FRAMES_DECODED:
            break
    if picked is None:
        raise BadRequest("The video has no decodable frame")
    image: Image.Image = picked.to_image()
    return image.convert("RGB")


def _facts(container: Any, filename: str | None) -> VideoFacts:
    name = str(container.format.name)
    if any(marker in name for marker in _NOT_MEDIA):
        raise ValueError(f"not a video or audio container: {name}")
    video = next((s for s in container.streams.video if not _is_cover_art(s)), None)
    audio = next(iter(container.streams.audio), None)
    if video is None and audio is None:
        raise ValueError("no audio or video stream")
    _decode_one(container, video or audio)
    duration = _duration(container, video or audio)
    facts = VideoFacts(
        format=_format(name, filename, audio_only=video is None),
        duration=duration,
        bit_rate=int(container.bit_rate or 0),
        is_audio=video is None,
        audio=_audio_block(audio) if audio is not None else {},
    )
    if video is None:
        return facts
    ctx = video.codec_context
    rate = video.average_rate or video.base_rate
    return VideoFacts(
        **{**facts.__dict__, "width": int(ctx.width), "height": int(ctx.height),
           "frame_rate": round(float(rate), 3) if rate else None,
           "nb_frames": int(video.frames) or None, "rotation": _rotation(video),
           "video": _video_block(video)},
    )


def _decode_one(container: Any, stream: Any) -> None:
    """Demux and decode the first packets: a header FFmpeg happens to accept is not yet a playable file."""
    for index, packet in enumerate(container.demux(stream)):
        if packet.decode():  # the last, empty packet flushes the decoder: a very short video's frames come then
            return
        if index > 64:
            break
    raise ValueError("no decodable frame")


def _duration(container: Any, stream: Any) -> float:
    if container.duration:
        return round(float(container.duration) / 1_000_000, 6)
    if stream.duration and stream.time_base:
        return round(float(stream.duration * stream.time_base), 6)
    return 0.0


def _format(container_name: str, filename: str | None, *, audio_only: bool) -> str:
    suffix = PurePath(filename or "").suffix.lstrip(".").lower()
    names = container_name.split(",")
    if suffix and suffix in names:
        return suffix
    table = _AUDIO_CONTAINERS if audio_only and container_name in _AUDIO_CONTAINERS else _CONTAINERS
    return table.get(container_name, names[0])


def _video_block(stream: Any) -> dict[str, Any]:
    ctx = stream.codec_context
    block: dict[str, Any] = {"pix_format": str(ctx.pix_fmt or ""), "codec": str(ctx.name)}
    if getattr(ctx, "profile", None):
        block["profile"] = str(ctx.profile)
    if ctx.bit_rate:
        block["bit_rate"] = str(ctx.bit_rate)
    if stream.time_base:
        block["time_base"] = _ratio(stream.time_base)
    return block


def _audio_block(stream: Any) -> dict[str, Any]:
    ctx = stream.codec_context
    block: dict[str, Any] = {"codec": _CODECS.get(str(ctx.name), str(ctx.name))}
    if ctx.bit_rate:
        block["bit_rate"] = str(ctx.bit_rate)
    block["frequency"] = int(ctx.sample_rate or 0)
    block["channels"] = int(ctx.channels or 0)
    if ctx.layout is not None:
        block["channel_layout"] = str(ctx.layout.name)
    return block


def _is_cover_art(stream: Any) -> bool:
    disposition = getattr(stream, "disposition", 0)
    try:
        import av.stream

        return bool(disposition & av.stream.Disposition.attached_pic)
    except (AttributeError, TypeError, ImportError):
        return False


def _rotation(stream: Any) -> int:
    try:
        value = stream.metadata.get("rotate")
        return int(value) % 360 if value else 0
    except (AttributeError, ValueError):
        return 0


def _ratio(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"
