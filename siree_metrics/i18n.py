"""One translation function for every sentence a user reads, in the reader's language — the engine's
(refusal reasons, summary notes, the Method page, the meeting pack, the command line) and the interface's.

English is the source language and is complete: the English text is the key. Dutch and French go in
``siree_metrics/locales/<lang>/*.toml`` (TOML, ``"English text" = "translation"``), one file per part of the
tool (``interface.toml``, ``loader.toml``, ``summary.toml``, ...), files a translator edits; a missing
translation falls back to English. Indicator labels come from the catalogue (``Indicator.label``).

The current language: ``using(lang)`` sets it for a block (the command line's ``--lang``, the upload worker,
a test, the meeting pack); otherwise a *session source* registered by the interface is asked (ui.i18n
registers the Streamlit session's choice), so ``t`` reads it without every call passing it. The engine itself
never imports Streamlit.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

LANGUAGES = ("en", "nl", "fr")
NAMES = {"en": "English", "nl": "Nederlands", "fr": "Français"}  # each language in its own words, for the switch
LOCALES = Path(__file__).resolve().parent / "locales"
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("siree_lang", default=None)
_session: list[Callable[[], str | None]] = []  # the interface's source of the reader's language, if any


@functools.cache
def _catalogue(lang: str) -> dict[str, str]:
    """Every translation of ``lang``: the files of its folder merged in name order (a key belongs in one)."""
    merged: dict[str, str] = {}
    for path in sorted((LOCALES / lang).glob("*.toml")):
        merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
    return merged


def use_session_language(source: Callable[[], str | None]) -> None:
    """Register where the interface keeps the reader's language (called once, by ui.i18n)."""
    _session[:] = [source]


def language() -> str:
    """The current language: ``using``'s, else the interface session's, else English."""
    lang = _current.get() or (_session[0]() if _session else None)
    return lang if lang in LANGUAGES else "en"


@contextlib.contextmanager
def using(lang: str | None) -> Iterator[str]:
    """Run a block in ``lang`` (None or an unknown code: English)."""
    token = _current.set(lang if lang in LANGUAGES else "en")
    try:
        yield _current.get() or "en"
    finally:
        _current.reset(token)


def t(text: str, lang: str | None = None, **values: object) -> str:
    """``text`` in ``lang`` (by default the current language; English where no translation exists), with
    ``{name}`` placeholders filled from ``values``. A translation whose placeholders do not match the English
    text's is not used (English is shown), so a translator's slip cannot break a page."""
    lang = lang or language()
    translated = _catalogue(lang).get(text, text) if lang != "en" else text
    if not values:
        return translated
    try:
        return translated.format(**values)
    except (KeyError, IndexError, ValueError):
        return text.format(**values)
