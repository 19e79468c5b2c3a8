"""One translation function for every user-facing string.

English is the source language and is complete. Dutch and French interface strings go in
``ui/locales/<lang>.toml`` (a later issue); a missing translation falls back to English. Indicator labels
come from the catalogue, which already has en/nl/fr.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

LANGUAGES = ("en", "nl", "fr")
LOCALES = Path(__file__).resolve().parent / "locales"


@functools.cache
def _catalogue(lang: str) -> dict[str, str]:
    path = LOCALES / f"{lang}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def t(text: str, lang: str = "en", **values: object) -> str:
    """``text`` in ``lang`` (English if no translation), with ``{name}`` placeholders filled from ``values``."""
    translated = _catalogue(lang).get(text, text) if lang != "en" else text
    return translated.format(**values) if values else translated
