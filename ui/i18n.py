"""One translation function for every user-facing string, in the reader's language.

English is the source language and is complete: the English text is the key. Dutch and French go in
``ui/locales/nl.toml`` and ``fr.toml`` (TOML, ``"English text" = "translation"``), files a translator edits;
a missing translation falls back to English. Indicator labels come from the catalogue (``Indicator.label``).

The current language: a page sets it from the URL's ``lang`` (ui.page keeps it in the session), and ``t`` reads
it without every call passing it. Outside a page (the command line, a test, the meeting pack) ``using(lang)``
sets it for a block; inside a Streamlit run the session's choice is read lazily, at each call, so a fragment
rerun or a callback sees it too. Nothing here imports Streamlit unless a script run is already going on.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

LANGUAGES = ("en", "nl", "fr")
NAMES = {"en": "English", "nl": "Nederlands", "fr": "Français"}  # each language in its own words, for the switch
LOCALES = Path(__file__).resolve().parent / "locales"
SESSION_KEY = "siree_lang"  # where ui.page keeps the session's language
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("siree_lang", default=None)


@functools.cache
def _catalogue(lang: str) -> dict[str, str]:
    path = LOCALES / f"{lang}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _from_session() -> str | None:
    """The language a Streamlit session chose, if a script run is going on (None otherwise)."""
    st = sys.modules.get("streamlit")
    if st is None:
        return None
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    lang = st.session_state.get(SESSION_KEY)
    return lang if lang in LANGUAGES else None


def language() -> str:
    """The current language: ``using``'s, else the Streamlit session's, else English."""
    return _current.get() or _from_session() or "en"


@contextlib.contextmanager
def using(lang: str) -> Iterator[str]:
    """Run a block in ``lang`` (an unknown code: English)."""
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
