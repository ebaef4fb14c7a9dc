"""The relations the add-on obeys (https://cloudinary.com/documentation/imagga_auto_tagging_addon), as pure
functions over answers.

Kept apart from HTTP so they can be checked against the documentation's own examples.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from typing import Any

Block = Mapping[str, Any]


def labels(tag: str | Mapping[str, str]) -> list[str]:
    """The texts of one ``data`` entry: the string, or each requested language's text in request order."""
    return list(tag.values()) if isinstance(tag, Mapping) else [tag]


def auto_tags(blocks: Mapping[str, Block], engines: Sequence[str], threshold: float) -> list[str]:
    """Tags ``auto_tagging=threshold`` adds: entries with confidence strictly greater than the threshold
    (a confidence equal to it does not), engines in request order, each in ``data`` order, lower-cased,
    without duplicates."""
    out: list[str] = []
    for engine in engines:
        for entry in blocks[engine]["data"]:
            if entry["confidence"] > threshold:
                out += [text.lower() for text in labels(entry["tag"])]
    return unique(out)


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def expected_tags(before: Sequence[str], blocks: Mapping[str, Block], engines: Sequence[str],
                  threshold: float | None) -> list[str]:
    """Explicit (or existing) tags first, then the auto tags, duplicates dropped (docs/contracts.md)."""
    added = [] if threshold is None else auto_tags(blocks, engines, threshold)
    return unique([*before, *added])


def confidences(block: Block) -> list[float]:
    return [float(entry["confidence"]) for entry in block["data"]]


def is_sorted(block: Block) -> bool:
    values = confidences(block)
    return all(a >= b for a, b in pairwise(values))


def explain(expected: Sequence[str], actual: Sequence[str], blocks: Mapping[str, Block], engines: Sequence[str],
            threshold: float | None) -> str:
    """Why ``actual`` is not ``expected``, in the terms of the law (the first reason that applies)."""
    scores = _scores(blocks, engines)
    extra = [t for t in actual if t not in expected]
    missing = [t for t in expected if t not in actual]
    if len(set(actual)) != len(actual):
        return "the tags contain duplicates"
    for tag in extra:
        if threshold is not None and scores.get(tag.lower()) == threshold:
            return (f"tag {tag!r} has confidence {threshold!r}, equal to auto_tagging={threshold!r}; only a "
                    f"confidence strictly greater than the threshold makes a tag")
        if tag.lower() in scores and tag != tag.lower():
            return f"auto tag {tag!r} is not lower-case"
        return f"unexpected tag {tag!r}" + (f" (confidence {scores[tag.lower()]!r})" if tag.lower() in scores else "")
    if missing:
        tag = missing[0]
        if tag in scores:
            return f"tag {tag!r} (confidence {scores[tag]!r} > {threshold!r}) is missing"
        return f"tag {tag!r} given explicitly or held before is missing"
    return "the tags are in the wrong order: explicit and existing tags first, then auto tags in data order"


def _scores(blocks: Mapping[str, Block], engines: Sequence[str]) -> dict[str, float]:
    """Each lower-cased text → its highest confidence."""
    out: dict[str, float] = {}
    for engine in engines:
        for entry in blocks.get(engine, {}).get("data", []):
            for text in labels(entry["tag"]):
                key = text.lower()
                out[key] = max(out.get(key, 0.0), float(entry["confidence"]))
    return out
