"""``eager`` (and archive ``transformations``): ``t1/fmt|t2|t3/``, each item a transformation and a format.

Every SDK writes an item as the transformation string, then ``/<format>`` when a format was given (an empty
format, a trailing ``/``, means "the original's"). Items are separated by ``|``.
"""

from __future__ import annotations

from emulator.backend import transform
from emulator.backend.models import EagerItem
from emulator.errors import BadRequest

MAX_ITEMS = 100


def renderable(item: EagerItem) -> transform.Transformation | None:
    """The parsed chain, or None when the emulator does not render it (some real parameters it only names)."""
    try:
        return transform.parse(item.transformation.split("/"))
    except BadRequest:
        return None


def parse(text: str | None) -> tuple[EagerItem, ...]:
    if not text:
        return ()
    items = tuple(_item(part) for part in text.split("|") if part.strip())
    if len(items) > MAX_ITEMS:
        raise BadRequest(f"Too many eager transformations - {len(items)}. Maximum is {MAX_ITEMS}")
    return items


def _item(text: str) -> EagerItem:
    segments = text.strip().split("/")
    fmt: str | None = None
    if len(segments) > 1 and not transform.looks_like_component(segments[-1]):
        fmt = segments.pop().lower() or None
    if fmt is not None:
        fmt = transform.FORMAT_ALIASES.get(fmt, fmt)
        if fmt not in transform.FORMATS:
            raise BadRequest(f"Invalid eager format - {fmt}. Supported: {', '.join(transform.FORMATS)}")
    for segment in segments:
        if segment and not transform.looks_like_component(segment):
            raise BadRequest(f"Invalid transformation component - {segment}")
    if not any(segments):
        raise BadRequest(f"Invalid eager transformation - {text!r}")
    return EagerItem("/".join(s for s in segments if s), fmt)
