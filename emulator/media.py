"""Image bytes in: decoding with Pillow, data URIs, and fetching remote files."""

from __future__ import annotations

import base64
import binascii
import io
import ipaddress
import re
import socket
import threading
import urllib.error
import urllib.request
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from PIL import Image, ImageFile, UnidentifiedImageError

from emulator.errors import BadRequest
from emulator.media_limits import DEFAULT_MAX_PIXELS, IMAGE_SUFFIXES, decoding_guard

# Pillow's format names → the extensions Cloudinary reports in ``format``.
_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "BMP": "bmp", "TIFF": "tiff",
            "ICO": "ico", "MPO": "jpg"}


def image_files(folder: Path) -> list[Path]:
    """Image files below ``folder`` (by extension), in a stable order."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


@dataclass(frozen=True)
class ImageFacts:
    format: str
    width: int
    height: int


Image.MAX_IMAGE_PIXELS = decoding_guard()  # as set by limit_decoding, before or after this import


def inspect(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageFacts:
    """Format and size from the bytes themselves; anything Pillow cannot read is ``Invalid image file``, an
    image declaring more pixels than ``max_pixels`` is refused from its header, before it is decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                check_pixels(*im.size, max_pixels)
                fmt, (width, height) = str(im.format), im.size
                checks_structure = type(im).verify is not ImageFile.ImageFile.verify
                if checks_structure:
                    im.verify()  # the structure (PNG's chunk checksums) ...
                else:
                    _decode(im)  # JPEG, GIF, WebP: nothing to verify, one opening is enough
            if checks_structure:
                with Image.open(io.BytesIO(data)) as im:
                    _decode(im)
    except Image.DecompressionBombError as exc:
        raise bomb(exc, max_pixels) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise BadRequest("Invalid image file") from exc
    return ImageFacts(_FORMATS.get(fmt, fmt.lower()), width, height)


_ACCEPTED: OrderedDict[str, ImageFacts] = OrderedDict()  # sha256 → facts of bytes :func:`inspect` accepted
_ACCEPTED_MAX = 1024
_ACCEPTED_LOCK = threading.Lock()


def inspect_known(sha256: str, data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageFacts:
    """:func:`inspect` for bytes whose sha256 the caller has: bytes accepted before (a test suite uploads the same
    few images again and again) are not decoded again, their facts being a function of the bytes alone. Their
    size is still checked against ``max_pixels``; refused bytes are never remembered."""
    with _ACCEPTED_LOCK:
        facts = _ACCEPTED.get(sha256)
        if facts is not None:
            _ACCEPTED.move_to_end(sha256)
    if facts is not None:
        check_pixels(facts.width, facts.height, max_pixels)
        return facts
    facts = inspect(data, max_pixels)
    with _ACCEPTED_LOCK:
        _ACCEPTED[sha256] = facts
        if len(_ACCEPTED) > _ACCEPTED_MAX:
            _ACCEPTED.popitem(last=False)
    return facts


def _decode(im: Image.Image) -> None:
    """The pixels, so a truncated file fails here and not later, in the tagging fallback. A JPEG is decoded at
    1/8 scale: every byte is still read (a truncated one fails the same), in a fraction of the time."""
    im.draft(im.mode, (1, 1))
    im.load()


def bomb(exc: Image.DecompressionBombError, max_pixels: int) -> BadRequest:
    """Pillow refused to open an image far over its limit: the same refusal, with the declared size."""
    declared = re.search(r"\((\d+) pixels\)", str(exc))
    return BadRequest(too_many_pixels(int(declared.group(1)) if declared else max_pixels + 1, max_pixels))


def check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise BadRequest(too_many_pixels(width * height, max_pixels))


def too_many_pixels(pixels: int, max_pixels: int) -> str:
    """Cloudinary's words: ``Maximum image size is 25 Megapixels. Requested 33.6 Megapixels``."""
    return f"Maximum image size is {_megapixels(max_pixels)} Megapixels. Requested {_megapixels(pixels)} Megapixels"


def _megapixels(pixels: int) -> str:
    return f"{round(pixels / 1_000_000, 2):g}"


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


def fetch(url: str, *, timeout: float, limit: int, allow_local: bool = True) -> bytes:
    """GET a remote file, reading at most ``limit + 1`` bytes so an oversized file is refused early.

    Unless ``allow_local``, a URL (or a redirect) to a loopback, private, link-local or unspecified address is
    refused before connecting: a cloud served beyond this machine must not fetch from its network for others.
    """
    request = urllib.request.Request(url, headers={"User-Agent": "cloudinary-emulator"})
    opener = urllib.request.build_opener() if allow_local else urllib.request.build_opener(_PublicRedirects())
    try:
        if not allow_local:
            check_public(url)
        with opener.open(request, timeout=timeout) as response:
            data: bytes = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise BadRequest(f"Error in loading {url} - {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise BadRequest(f"Error in loading {url} - {reason}") from exc
    check_size(len(data), limit)
    return data


class LocalAddress(ValueError):
    """A URL whose host resolves to an address on this machine or its private network."""


def check_public(url: str) -> None:
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return  # unresolvable: urllib reports it
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global or address.is_multicast:
            raise LocalAddress(f"{host} is a local address ({address}); this cloud does not fetch from local "
                               "addresses (fetch_local_urls)")


class _PublicRedirects(urllib.request.HTTPRedirectHandler):
    """Every redirect is checked like the first URL."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        check_public(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def url_filename(url: str) -> str:
    """The last path segment of a URL, for ``original_filename`` of a remote upload."""
    return PurePosixPath(unquote(urlsplit(url).path)).name or "file"
