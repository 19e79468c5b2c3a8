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
import json
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


class Said(str):
    """A sentence kept for later readers (a loader's warning or a file's format, in the batch log): the text
    in the current language, as a ``str``, that also holds itself in every language (``every``), so each later
    reader reads it in theirs (``kept`` stores it, ``read_kept`` shows it)."""

    every: dict[str, str]

    def __new__(cls, render: Callable[[str], str]) -> Said:
        every = {lang: render(lang) for lang in LANGUAGES}
        said = super().__new__(cls, every[language()])
        said.every = every
        return said

    def __reduce__(self) -> tuple:  # pickled and copied with its languages (the default would call render)
        return Said, (self.every.__getitem__,)


def in_language(text: str, lang: str | None = None) -> str:
    """``text`` in ``lang`` (by default the current language) if it is a Said; any other text as it is."""
    return text.every[lang or language()] if isinstance(text, Said) else text


def kept(texts: list[str]) -> str | None:
    """``texts`` (Said or plain) as stored: a JSON list of {language: text}; None for none."""
    if not texts:
        return None
    return json.dumps([getattr(text, "every", None) or {"en": str(text)} for text in texts], ensure_ascii=False)


def read_kept(stored: str | None, lang: str | None = None) -> str:
    """What ``kept`` stored, in ``lang`` (by default the current one), one text a line; a text stored before
    texts were kept in every language (plain text) as it is."""
    if not stored:
        return ""
    try:
        texts = json.loads(stored)
    except ValueError:
        return stored
    if not isinstance(texts, list) or not all(isinstance(x, dict) and "en" in x for x in texts):
        return stored
    lang = lang or language()
    return "\n".join(str(x.get(lang) or x["en"]) for x in texts)
