"""The interface's side of the translations (siree_metrics.i18n): the reader's language is the Streamlit
session's choice, kept by ui.page under ``SESSION_KEY`` from the link's ``lang`` and the sidebar switch.

Inside a Streamlit script run the session's choice is read lazily, at each call of ``t``, so a fragment rerun
or a callback sees it too. Nothing here imports Streamlit unless a script run is already going on.
"""

from __future__ import annotations

import sys

from siree_metrics.i18n import LANGUAGES, NAMES, language, t, use_session_language, using

__all__ = ["LANGUAGES", "NAMES", "SESSION_KEY", "language", "t", "using"]

SESSION_KEY = "siree_lang"  # where ui.page keeps the session's language


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


use_session_language(_from_session)
