"""The language codes the add-on accepts, read from the kit's own data (``schemas/language-code.json``)."""

from __future__ import annotations

from contracts import schemas

SUPPORTED: tuple[str, ...] = tuple(schemas.load("language-code")["enum"])
ENGINES = ("imagga_tagging", "google_tagging", "aws_rek_tagging")
KNOWN_ENGINES = frozenset({*ENGINES, "google_video_tagging"})  # the video engine is not tried on images
