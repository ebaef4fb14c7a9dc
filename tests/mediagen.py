"""Small media files made at test time with PyAV (FFmpeg's encoders from the ``av`` wheel): no downloads, no
committed binaries. Each is a few KB: 64×48 pixels, ten frames at 10 fps, a second of silence."""

from __future__ import annotations

import io
from functools import cache
from typing import Any

WIDTH, HEIGHT, FRAMES, FPS = 64, 48, 10, 10


@cache
def mp4() -> bytes:
    """H.264 video with AAC audio in MP4."""
    return _make("mp4", "libx264", "aac", 8000)


@cache
def webm() -> bytes:
    """VP8 video with Opus audio in WebM."""
    return _make("webm", "libvpx", "libopus", 48000)


@cache
def mp3() -> bytes:
    """MP3 audio, no video."""
    return _make("mp3", None, "libmp3lame", 8000)


def _make(container: str, video_codec: str | None, audio_codec: str | None, sample_rate: int) -> bytes:
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as out:
        video = out.add_stream(video_codec, rate=FPS) if video_codec else None
        audio = out.add_stream(audio_codec, rate=sample_rate) if audio_codec else None
        if video is not None:
            _video(out, video)
        if audio is not None:
            _audio(out, audio)
    return buffer.getvalue()


def _video(out: Any, stream: Any) -> None:
    import av

    stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    for index in range(FRAMES):
        frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes([index * 20 % 256]) * plane.buffer_size)
        frame.pts = index
        out.mux(stream.encode(frame))
    out.mux(stream.encode())


def _audio(out: Any, stream: Any) -> None:
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
