"""The Data page's upload: a partner's file checked with the command line's rules and words, loaded on
request. One function, ``upload_form``, draws it; the page calls it inside its "Upload a file" tab.

Who may upload is a matter of roles (``ui.auth``): a viewer (nobody logged in) sees no form, only how to
log in; a partner uploads rows of its own partner_id only (a file holding another partner's rows is refused
whole, naming those rows); an admin uploads for any partner. The batch records the account's name as
``loaded_by``. The operator can turn uploading off for everyone with SIREE_UPLOADS=off.

The file is saved under a generated name (``ui.checker``: the browser's name is only shown, escaped), and
checked and loaded off the serving path: in a process of its own, one at a time across the server, within
the limits of programme.toml's [uploads] (stated on the page). It is checked once per file (and dataset)
however often the page reruns, deleted once refused or loaded, and nothing is stored until the reader
presses Load; a load clears Streamlit's data cache so every page shows the new data at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from siree_metrics.charts import style
from siree_metrics.downloads import frame_csv
from siree_metrics.i18n import in_language
from siree_metrics.ingest import limits as upload_limits
from siree_metrics.ingest.contract import load_contract
from siree_metrics.ingest.detect import problem_table
from siree_metrics.ingest.load import Checked, LoadResult

from . import auth, checker, data
from .i18n import language, t

DETECT = "detect"  # the dataset choice "find out from the column names"
SHOWN = 100  # problems, warnings and column names listed on the page (the CSV download has every listed one)
T = TypeVar("T")


def dataset_label(name: str) -> str:
    """A dataset's name for a reader: "School attendance (school_attendance)", or the detect choice (a dataset
    the contract no longer has, as stored)."""
    if name == DETECT:
        return t("Find out from the column names")
    contract = load_contract()
    return f"{t(contract[name].label)} ({name})" if name in contract else name


def _saved(upload: Any) -> checker.Saved:  # Streamlit's UploadedFile
    """The upload saved under a generated name (``checker.save_upload``); saved again if it was deleted
    (refused or loaded) and is needed once more, and the previous file of the session deleted."""
    saved = st.session_state.get("data_upload")
    if st.session_state.get("data_upload_id") != upload.file_id or saved is None or not saved.path.exists():
        checker.discard(saved.path if saved else None)
        if st.session_state.get("data_upload_id") != upload.file_id:
            st.session_state.pop("data_result", None)
        saved = st.session_state["data_upload"] = checker.save_upload(upload.getvalue(), upload.name)
        st.session_state["data_upload_id"] = upload.file_id
    return saved


def _listed(items: list[str], shown: int = SHOWN) -> list[str]:
    """The first ``shown`` of ``items``, and a last line saying how many more there are."""
    if len(items) <= shown:
        return items
    return [*items[:shown], t("... and {n} more", n=style.count(len(items) - shown, language()))]


def _remembered(key: tuple, compute: Callable[[], T]) -> T:
    """``compute()`` once per uploaded file (and dataset): reruns of the page do not read the file again."""
    memo = st.session_state.setdefault("data_memo", {})
    if any(k[1] != key[1] for k in memo):  # another file: forget the previous one
        memo.clear()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _show_problems(checked: Checked) -> None:
    """The problems in a table and as the command line's lines, the first SHOWN of each (and how many
    more); the CSV download (formulas neutralised) holds every listed one."""
    problems = problem_table(checked)
    if len(problems) > SHOWN:
        st.caption(t("The first {shown} of {n} listed problems; download the list for all of them.",
                     shown=SHOWN, n=style.count(len(problems), language())))
    st.dataframe(problems.drop(columns="line").head(SHOWN), hide_index=True, width="stretch",
                 column_config={"row": t("Row"), "column": t("Column"), "value": t("Value"),
                                "reason": st.column_config.TextColumn(t("Reason"), width="large")})
    lines = "\n".join(_listed(list(problems["line"])))
    st.caption(t("The same problems, word for word as the command line reports them:"))
    st.code(lines, language=None, wrap_lines=True)  # a code block: shown as text, never as Markdown
    st.download_button(t("Download the problem list (CSV)"), frame_csv(problems),
                       file_name=f"problems_{checked.dataset or 'file'}.csv", mime="text/csv", on_click="ignore",
                       key="data_problems_download")


def _show_result(result: LoadResult) -> None:
    if result.status == "loaded":
        st.success(auth.plain(f"✔ {result.file}: {result.message}"))
    elif result.status == "already_loaded":
        st.info(auth.plain(f"● {result.file}: {result.message}"))
    elif result.status == "retracted":
        st.warning(auth.plain(f"▲ {result.file}: {result.message}"))
    else:
        st.error(auth.plain(f"✖ {result.file}: " + t("refused: nothing was loaded")))
        _show_problems(result)


def uploads_frozen() -> bool:
    """Whether the operator has turned uploading through the dashboard off for everyone (SIREE_UPLOADS=off:
    a screen in a meeting room, a freeze before a report); the command line still loads. Any other value,
    or none, leaves it to the roles."""
    return os.environ.get("SIREE_UPLOADS", "").strip().lower() == "off"


def upload_form() -> None:
    """The upload form for a partner or an admin: which dataset (or detect it from the column names), the file;
    its check, a preview, and a Load button enabled only for a file without problems. A viewer gets no form,
    only how to log in; with SIREE_UPLOADS=off nobody does."""
    user = auth.current_user()
    if uploads_frozen():
        st.warning(t("Uploading through the dashboard is turned off on this server (SIREE_UPLOADS=off). Files "
                     "can be loaded on the server with: python -m siree_metrics load --dataset NAME FILE"))
        return
    if user.role == "viewer":
        st.info(t("Log in as a partner to upload (the login box is in the sidebar, below the filters). A "
                  "partner uploads its own rows; the list of loaded files says who loaded each file."))
        return
    allowed = None if user.is_admin else (user.partner_id or "",)  # None: an admin loads for any partner
    st.caption(auth.plain(t("Logged in as {name}: you can upload rows of any partner.", name=user.name)
                          if allowed is None else
                          t("Logged in as {name}: you can upload rows of partner {partner} only; a file holding "
                            "another partner's rows is refused whole.", name=user.name, partner=user.partner_id)))
    limits = upload_limits.configured()
    st.caption(t("Limits: {limits}.", limits=limits.described()))
    choice = st.selectbox(t("Dataset"), [DETECT, *load_contract()], format_func=dataset_label, key="data_dataset")
    upload = st.file_uploader(t("File to check and load: CSV, Parquet or XLSX"), key="data_file")
    if upload is None:
        st.info(t("Drop a partner's export here. It is checked with the same rules and words as the command "
                  "line, and nothing is stored until you press Load; a file is accepted whole or refused whole."))
        return
    saved = _saved(upload)
    name = auth.plain(saved.display)  # the browser's name, cleaned; escaped wherever Markdown shows it
    wanted = None if choice == DETECT else choice
    lang = language()  # the worker writes its messages in the reader's language (a switch checks again)
    found = _remembered(("checked", upload.file_id, wanted, allowed, lang),
                        lambda: checker.check(saved.path, wanted, saved.display, limits, partners=allowed, lang=lang))
    checked, dataset = found.checked, found.dataset
    if dataset is None:
        st.warning(t("Cannot tell which dataset {file} holds from its columns ({columns}). Choose the "
                     "dataset above.", file=name,
                     columns=auth.plain(", ".join(_listed(found.headers, 8))) or t("none")))
        checker.discard(saved.path)
        return
    if choice == DETECT:
        st.markdown(t("**{file}** looks like **{label}** (from its column names; choose another dataset "
                      "above if it is not).", file=name, label=dataset_label(dataset)))
    for warning in _listed([in_language(w) for w in checked.warnings], 20):
        st.warning(auth.plain(warning))
    if checked.ok:
        st.success(t("✔ {file}: no problems in {rows} rows ({description}). Ready to load.",
                     file=name, rows=style.count(checked.rows, language()), description=in_language(checked.description)))
    else:
        st.error(t("✖ {file} would be refused: {n} problem(s). Nothing can be loaded from it until they "
                   "are fixed; the list below says where.", file=name, n=checked.problem_count or 1))
        _show_problems(checked)
        checker.discard(saved.path)  # nothing more to do with it
    if checked.preview:
        with st.expander(t("Preview: the first rows, as sent"), expanded=checked.ok):
            st.dataframe(pd.DataFrame(checked.preview), hide_index=True, width="stretch")
    if st.button(t("Load {file} as {label}", file=name, label=dataset_label(dataset)),  # labels render Markdown
                 type="primary", disabled=not checked.ok, key="data_load"):
        with st.spinner(t("Loading ...")):
            saved = _saved(upload)
            result = checker.load(data.db_path(), dataset, saved.path, saved.display, loaded_by=str(user.name),
                                  limits=limits, partners=allowed, lang=language())
            checker.discard(saved.path)
        st.session_state["data_result"] = result
        st.cache_data.clear()  # every page shows the new data at once
    if "data_result" in st.session_state:
        _show_result(st.session_state["data_result"])
