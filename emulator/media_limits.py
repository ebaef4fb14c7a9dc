"""What decoding media may take, set and read without loading Pillow (a start needs neither).

:mod:`emulator.media`, which every decoding path imports, applies the decompression-bomb guard when it loads;
a guard set after that is applied at once.
"""

from __future__ import annotations

import sys

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"})
DEFAULT_MAX_PIXELS = 25_000_000
_GUARD = [DEFAULT_MAX_PIXELS]


def limit_decoding(max_pixels: int) -> None:
    """Pillow's own decompression-bomb guard, set from the emulator's budget (never below 25 megapixels: it is
    one setting for the whole process): Pillow warns above it and refuses twice it, for every decoder (the
    tagging fallback included). Uploads and renderings check the declared size first, with Cloudinary's
    message, so the guard is a backstop."""
    _GUARD[0] = max(max_pixels, DEFAULT_MAX_PIXELS)
    image = sys.modules.get("PIL.Image")
    if image is not None:
        setattr(image, "MAX_IMAGE_PIXELS", _GUARD[0])  # noqa: B010 (the module's type is not known here)


def decoding_guard() -> int:
    return _GUARD[0]
