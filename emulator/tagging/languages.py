"""The language codes Imagga's tagger accepts (docs.imagga.com, "Multi-language support")."""

from __future__ import annotations

SUPPORTED_LANGUAGES: tuple[str, ...] = (
    "ar", "bg", "bs", "en", "ca", "cs", "cy", "da", "de", "el", "es", "et", "fa", "fi", "fr", "he", "hi",
    "hr", "ht", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "mww", "nl", "no", "otq", "pl", "pt",
    "ro", "ru", "sk", "sl", "sr_cyrl", "sr_latn", "sv", "th", "tlh", "tlh_qaak", "tr", "uk", "ur", "vi",
    "yua", "zh_chs", "zh_cht",
)
