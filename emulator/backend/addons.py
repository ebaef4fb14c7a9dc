"""The analysis add-ons named by ``detection``, ``background_removal``, ``ocr`` and ``raw_convert``.

Values are checked against the names Cloudinary documents for each parameter; an unknown one is a 400 worded as
the real service words it (the Upload API and the Admin API word it differently). The emulator runs none of
these engines, so a valid request is answered as by an account without the add-on: 420.
"""

from __future__ import annotations

import re

from emulator.backend.models import AddonRequest
from emulator.errors import BadRequest, RateLimited

_DETECTION = ("adv_face", "aws_rek_face", "coco", "lvis", "openimages", "unidet", "cld-fashion", "cld-text",
              "human-anatomy", "iwildcam", "captioning", "shop-classifier", "watermark-detection")
_BACKGROUND = ("cloudinary_ai", "cloudinary_ai:fine_edges", "remove_the_background", "pixelz")
_OCR = re.compile(r"^adv_ocr(:[a-z_]+)*$")
_RAW_CONVERT = re.compile(r"^(aspose|extract_text|google_speech(:(srt|vtt|webvtt))*|azure_video_indexer"
                          r"(:(srt|vtt))*|google_video_tagging|adv_ocr(:[a-z_]+)*)$")


def _detection_ok(item: str) -> bool:
    name = re.sub(r"_v\d+$", "", item)
    return name in _DETECTION


_VALID = {
    "detection": lambda v: all(_detection_ok(i.strip()) for i in v.split(",")),
    "background_removal": lambda v: v in _BACKGROUND,
    "ocr": lambda v: bool(_OCR.match(v)),
    "raw_convert": lambda v: all(_RAW_CONVERT.match(i.strip()) for i in v.split(",")),
}
PARAMETERS = tuple(_VALID)
_TITLES = {"detection": "Detection", "background_removal": "Background removal", "ocr": "OCR",
           "raw_convert": "Raw convert"}


def validate(req: AddonRequest, *, admin: bool) -> None:
    """400 for a value the parameter does not know (checked while parameters are parsed)."""
    if not _VALID[req.parameter](req.value):
        raise BadRequest(_invalid(req, admin))


def check(requests: tuple[AddonRequest, ...], *, admin: bool) -> None:
    """400 for an unknown value (first), then 420: no add-on is available in the emulator."""
    for req in requests:
        validate(req, admin=admin)
    for req in requests:
        raise RateLimited(f"You don't have an active subscription for the {_TITLES[req.parameter]} add-on "
                          f"({req.value}); the emulator runs no {_TITLES[req.parameter].lower()} engine")


def _invalid(req: AddonRequest, admin: bool) -> str:
    if admin:
        return f"Illegal value {req.value} for parameter {req.parameter}"
    if req.parameter == "detection":
        return f"Detection invalid model '{req.value}'"
    return f"{_TITLES[req.parameter]} is invalid: {req.value}"
