"""Image bytes in: decoding with Pillow, data URIs, and fetching remote files."""

from __future__ import annotations

import base64
import binascii
import io
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, TypeVar
from urllib.parse import unquote, urlsplit

from PIL import Image, UnidentifiedImageError

from emulator.errors import BadRequest

T = TypeVar("T")

# Pillow's format names → the extensions Cloudinary reports in ``format``.
_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "BMP": "bmp", "TIFF": "tiff",
            "ICO": "ico", "MPO": "jpg"}


IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"})


def image_files(folder: Path) -> list[Path]:
    """Image files below ``folder`` (by extension), in a stable order."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


@dataclass(frozen=True)
class ImageFacts:
    format: str
    width: int
    height: int


def inspect(data: bytes) -> ImageFacts:
    """Format and size from the bytes themselves; anything Pillow cannot read is ``Invalid image file``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                im.verify()  # the structure (chunks, checksums) ...
                fmt, (width, height) = str(im.format), im.size
            with Image.open(io.BytesIO(data)) as im:
                im.load()  # ... and the pixels: a truncated file would fail later, in the tagging fallback
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise BadRequest("Invalid image file") from exc
    return ImageFacts(_FORMATS.get(fmt, fmt.lower()), width, height)


def check_size(size: int, limit: int) -> None:
    if size > limit:
        raise BadRequest(f"File size too large. Got {size}. Maximum is {limit}.")


def decode_data_uri(uri: str) -> bytes:
    """``data:[<type>][;base64],<payload>``; a malformed one is a 400, not a crash."""
    header, sep, payload = uri.partition(",")
    if not sep:
        raise BadRequest("Invalid data URI: missing ','")
    if header.endswith(";base64"):
        try:
            return base64.b64decode(payload, validate=False)
        except (binascii.Error, ValueError) as exc:
            raise BadRequest("Invalid data URI: bad base64 payload") from exc
    return unquote(payload).encode("latin-1", errors="replace")


def fetch(url: str, *, timeout: float, limit: int) -> bytes:
    """GET a remote file, reading at most ``limit + 1`` bytes so an oversized file is refused early."""
    data: bytes = fetch_into(url, lambda response: response.read(limit + 1), timeout=timeout)
    check_size(len(data), limit)
    return data


def fetch_into(url: str, consume: Callable[[IO[bytes]], T], *, timeout: float) -> T:
    """GET a remote file and hand its body, as a stream, to ``consume`` (a big video is streamed to disk);
    any failure to load it, before or while reading, is a 400 naming the URL."""
    request = urllib.request.Request(url, headers={"User-Agent": "cloudinary-emulator"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return consume(response)
    except urllib.error.HTTPError as exc:
        raise BadRequest(f"Error in loading {url} - {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise BadRequest(f"Error in loading {url} - {reason}") from exc


def url_filename(url: str) -> str:
    """The last path segment of a URL, for ``original_filename`` of a remote upload."""
    return PurePosixPath(unquote(urlsplit(url).path)).name or "file"
