"""The Data page's upload: a partner's file checked with the command line's rules and words, loaded on
request. One function, ``upload_form``, draws it; the page calls it inside its "Upload a file" tab.

The file is written to a private folder under its own name (the name shows in every message), read once
per file (and dataset) however often the page reruns, and nothing is stored until the reader presses Load;
a load clears Streamlit's data cache so every page shows the new data at once.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from siree_metrics.ingest.contract import load_contract
from siree_metrics.ingest.detect import detect_dataset, file_headers, problem_table
from siree_metrics.ingest.load import Checked, LoadResult, check_file, load_file

from . import data
from .i18n import t

DETECT = "detect"  # the dataset choice "find out from the column names"
T = TypeVar("T")


def dataset_label(name: str) -> str:
    """A dataset's name for a reader: "School attendance (school_attendance)", or the detect choice."""
    return t("Find out from the column names") if name == DETECT else f"{t(load_contract()[name].label)} ({name})"


def _saved(upload: Any) -> Path:  # Streamlit's UploadedFile
    """The upload written to a private folder under its own file name (the name shows in every message)."""
    folder = st.session_state.get("data_upload_dir")
    if not folder or not Path(folder).is_dir():
        folder = st.session_state["data_upload_dir"] = tempfile.mkdtemp(prefix="siree-upload-")
    path = Path(folder) / (Path(upload.name).name or "upload")
    if st.session_state.get("data_upload_id") != upload.file_id or not path.exists():
        for old in Path(folder).iterdir():
            old.unlink()
        path.write_bytes(upload.getvalue())
        st.session_state["data_upload_id"] = upload.file_id
        st.session_state.pop("data_result", None)
    return path


def _remembered(key: tuple, compute: Callable[[], T]) -> T:
    """``compute()`` once per uploaded file (and dataset): reruns of the page do not read the file again."""
    memo = st.session_state.setdefault("data_memo", {})
    if any(k[1] != key[1] for k in memo):  # another file: forget the previous one
        memo.clear()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _show_problems(checked: Checked) -> None:
    problems = problem_table(checked)
    st.dataframe(problems.drop(columns="line"), hide_index=True, width="stretch",
                 column_config={"row": t("Row"), "column": t("Column"), "value": t("Value"),
                                "reason": st.column_config.TextColumn(t("Reason"), width="large")})
    lines = "\n".join(problems["line"])
    st.caption(t("The same problems, word for word as the command line reports them:"))
    st.code(lines, language=None, wrap_lines=True)
    st.download_button(t("Download the problem list (CSV)"), problems.to_csv(index=False).encode("utf-8"),
                       file_name=f"problems_{Path(checked.file).stem}.csv", mime="text/csv", on_click="ignore",
                       key="data_problems_download")


def _show_result(result: LoadResult) -> None:
    if result.status == "loaded":
        st.success(f"✔ {result.file}: {result.message}")
    elif result.status == "already_loaded":
        st.info(f"● {result.file}: {result.message}")
    else:
        st.error(f"✖ {result.file}: " + t("refused: nothing was loaded"))
        _show_problems(result)


def upload_form() -> None:
    """The upload form: who, which dataset (or detect it from the column names), the file; its check, a
    preview, and a Load button enabled only for a file without problems. Disabled, with the reason and the
    command line to use instead, where uploading is off (``data.uploads_enabled``)."""
    enabled = data.uploads_enabled()
    if enabled:
        st.caption(t("Uploading is on: {why}.",
                     why=t("this is the demo database") if data.is_demo() else t("SIREE_UPLOADS=on")))
    else:
        st.warning(t("Uploading is off for this database. Until accounts exist, uploading is on only for the "
                     "demo database; start the dashboard with SIREE_UPLOADS=on to allow it. Files can always "
                     "be loaded with: python -m siree_metrics load --dataset NAME FILE"))
    who_col, dataset_col = st.columns(2)
    who = who_col.text_input(t("Your name (kept in the list of loaded files)"), key="data_who", disabled=not enabled,
                             placeholder="dashboard")
    choice = dataset_col.selectbox(t("Dataset"), [DETECT, *load_contract()], format_func=dataset_label,
                                   key="data_dataset", disabled=not enabled)
    upload = st.file_uploader(t("File to check and load: CSV, Parquet or XLSX"), key="data_file",
                              disabled=not enabled)
    if enabled and upload is None:
        st.info(t("Drop a partner's export here. It is checked with the same rules and words as the command "
                  "line, and nothing is stored until you press Load; a file is accepted whole or refused whole."))
    if not enabled or upload is None:
        return
    path = _saved(upload)
    dataset = choice
    if choice == DETECT:
        headers = _remembered(("headers", upload.file_id), lambda: file_headers(path))
        dataset = detect_dataset(headers)
        if dataset is None:
            st.warning(t("Cannot tell which dataset {file} holds from its columns ({columns}). Choose the "
                         "dataset above.", file=upload.name, columns=", ".join(headers[:8]) or t("none")))
            return
        st.markdown(t("**{file}** looks like **{label}** (from its column names; choose another dataset "
                      "above if it is not).", file=upload.name, label=dataset_label(dataset)))
    checked = _remembered(("checked", upload.file_id, dataset),
                          lambda: check_file(path, dataset, display=upload.name))
    for warning in checked.warnings:
        st.warning(warning)
    if checked.ok:
        st.success(t("✔ {file}: no problems in {rows:,} rows ({description}). Ready to load.",
                     file=upload.name, rows=checked.rows, description=checked.description))
    else:
        st.error(t("✖ {file} would be refused: {n} problem(s). Nothing can be loaded from it until they "
                   "are fixed; the list below says where.", file=upload.name, n=checked.problem_count or 1))
        _show_problems(checked)
    if checked.preview:
        with st.expander(t("Preview: the first rows, as sent"), expanded=checked.ok):
            st.dataframe(pd.DataFrame(checked.preview), hide_index=True, width="stretch")
    if st.button(t("Load {file} as {label}", file=upload.name, label=dataset_label(dataset)),
                 type="primary", disabled=not checked.ok, key="data_load"):
        with st.spinner(t("Loading ...")):
            result = load_file(data.db_path(), dataset, path, display=upload.name,
                               loaded_by=f"upload: {who.strip() or 'dashboard'}")
        st.session_state["data_result"] = result
        st.cache_data.clear()  # every page shows the new data at once
    if "data_result" in st.session_state:
        _show_result(st.session_state["data_result"])
