"""Data: upload a partner's file (checked with the command line's rules and words), the files loaded so
far, which quarters each partner has sent, and blank templates."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pandas as pd
import streamlit as st

from siree_metrics.docs import ROOT, template_csv
from siree_metrics.ingest.contract import load_contract
from siree_metrics.ingest.detect import detect_dataset, file_headers, problem_table
from siree_metrics.ingest.load import Checked, LoadResult, check_file, load_file
from siree_metrics.metrics import history
from siree_metrics.reference import load_reference
from ui import data
from ui.figures import budget_charts
from ui.i18n import t
from ui.page import page, show_chart

DETECT = "detect"
T = TypeVar("T")

view = page("Data", "📤")
contract = load_contract()


def dataset_label(name: str) -> str:
    return t("Find out from the column names") if name == DETECT else f"{t(contract[name].label)} ({name})"


def saved(upload) -> Path:  # noqa: ANN001 (Streamlit's UploadedFile)
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


def remembered(key: tuple, compute: Callable[[], T]) -> T:
    """``compute()`` once per uploaded file (and dataset): reruns of the page do not read the file again."""
    memo = st.session_state.setdefault("data_memo", {})
    if any(k[1] != key[1] for k in memo):  # another file: forget the previous one
        memo.clear()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def show_problems(checked: Checked) -> None:
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


def show_result(result: LoadResult) -> None:
    if result.status == "loaded":
        st.success(f"✔ {result.file}: {result.message}")
    elif result.status == "already_loaded":
        st.info(f"● {result.file}: {result.message}")
    else:
        st.error(f"✖ {result.file}: " + t("refused: nothing was loaded"))
        show_problems(result)


upload_tab, history_tab, grid_tab, templates_tab = st.tabs(
    [t("Upload a file"), t("Loaded files"), t("Who sent what"), t("Blank templates")])

with upload_tab:
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
    choice = dataset_col.selectbox(t("Dataset"), [DETECT, *contract], format_func=dataset_label,
                                   key="data_dataset", disabled=not enabled)
    upload = st.file_uploader(t("File to check and load: CSV, Parquet or XLSX"), key="data_file",
                              disabled=not enabled)
    if enabled and upload is None:
        st.info(t("Drop a partner's export here. It is checked with the same rules and words as the command "
                  "line, and nothing is stored until you press Load; a file is accepted whole or refused whole."))
    if enabled and upload is not None:
        path = saved(upload)
        dataset = choice
        if choice == DETECT:
            headers = remembered(("headers", upload.file_id), lambda: file_headers(path))
            dataset = detect_dataset(headers)
            if dataset is None:
                st.warning(t("Cannot tell which dataset {file} holds from its columns ({columns}). Choose the "
                             "dataset above.", file=upload.name, columns=", ".join(headers[:8]) or t("none")))
            else:
                st.markdown(t("**{file}** looks like **{label}** (from its column names; choose another dataset "
                              "above if it is not).", file=upload.name, label=dataset_label(dataset)))
        if dataset is not None:
            checked = remembered(("checked", upload.file_id, dataset),
                                 lambda: check_file(path, dataset, display=upload.name))
            for warning in checked.warnings:
                st.warning(warning)
            if checked.ok:
                st.success(t("✔ {file}: no problems in {rows:,} rows ({description}). Ready to load.",
                             file=upload.name, rows=checked.rows, description=checked.description))
            else:
                st.error(t("✖ {file} would be refused: {n} problem(s). Nothing can be loaded from it until they "
                           "are fixed; the list below says where.", file=upload.name,
                           n=checked.problem_count or 1))
                show_problems(checked)
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
                show_result(st.session_state["data_result"])

with history_tab:
    files = data.frame(history.loaded_files)
    if files.empty:
        st.info(t("No file has been loaded yet."))
    else:
        st.caption(t("{n} files loaded; newest first. A file loaded again byte for byte is not stored twice; "
                     "rows that replaced stored ones are counted under 'Replaced rows'.", n=len(files)))
        st.dataframe(
            files, hide_index=True, width="stretch", height=420,
            column_order=["loaded_at", "loaded_by", "dataset", "file_name", "rows", "replaced_rows", "file_format",
                          "warnings"],
            column_config={
                "loaded_at": st.column_config.DatetimeColumn(t("When"), format="YYYY-MM-DD HH:mm"),
                "loaded_by": st.column_config.TextColumn(t("Who"), width="medium"), "dataset": t("Dataset"),
                "file_name": t("File"),
                "file_format": t("Format"), "rows": st.column_config.NumberColumn(t("Rows"), format="%d"),
                "replaced_rows": st.column_config.NumberColumn(t("Replaced rows"), format="%d"),
                "warnings": t("Warnings"),
            })
        st.download_button(t("Download CSV"), files.to_csv(index=False).encode("utf-8"),
                           file_name="siree_loaded_files.csv", mime="text/csv", on_click="ignore",
                           key="data_files_download")
    late = data.frame(history.outside_project_period)
    if not late.empty:
        st.subheader(t("Records outside the project period"))
        st.caption(t("Dated after the project end ({end}): stored and exported, but outside every result, which "
                     "stops at the project end.", end=load_reference().programme.end))
        st.dataframe(late, hide_index=True, width="stretch")

with grid_tab:
    until = view.until
    cells = data.frame(history.completeness, view.start, until, view.filters)
    which = st.selectbox(t("Dataset"), ["all", *contract], key="data_grid_dataset",
                         format_func=lambda n: t("All datasets: quarters sent so far") if n == "all"
                         else dataset_label(n))
    if which == "all":
        grid, across = history.submission_overview(cells, t), "dataset_label"
        st.caption(t("Each cell: quarters with rows / quarters from {start} to {end}; the colour and symbol give "
                     "the latest quarter. Choose a dataset to see every quarter.",
                     start=history.quarter_label(view.start), end=history.quarter_label(until)))
    else:
        grid, across = history.submission_grid(cells, which, t), "quarter"
    st.caption(t("A quarter counts as submitted when the partner's stored rows include at least one dated in it; "
                 "for datasets of events (communities, trainings, start-ups, networks) a quarter without a new "
                 "one shows as missing. 'Not sent': the partner has sent nothing of that dataset."))
    sending = grid[grid["status"] != "not_sent"]
    if which != "all":
        sending = sending[sending["quarter"] == history.quarter_label(until)]
    coverage = t("{k} of {n} partner datasets have rows for {quarter}" if which == "all"
                 else "{k} of {n} partners that send it have rows for {quarter}",
                 k=int((sending["status"] == "submitted").sum()), n=len(sending), quarter=history.quarter_label(until))
    show_chart(budget_charts.submissions(grid, across, t), grid, f"submissions_{which}", view.as_of,
               coverage=coverage, empty=t("No partner in this selection.") if grid.empty else None)

with templates_tab:
    st.markdown(t("One blank file per dataset, with the column names in the first row. The rules for every "
                  "column are in docs/data-contract.md; Dutch and French column names are accepted too."))
    for name, ds in contract.items():
        template = ROOT / "data" / "templates" / f"{name}.csv"
        text = template.read_text(encoding="utf-8") if template.exists() else template_csv(name)
        left, right = st.columns([3, 2])
        left.markdown(f"**{t(ds.label)}** (`{name}`) — " + t("one row is {row}; required: {cols}", row=t(ds.row),
                                                             cols=", ".join(ds.required)))
        right.download_button(t("Download {name}.csv", name=name), text.encode("utf-8"), file_name=f"{name}.csv",
                              mime="text/csv", on_click="ignore", key=f"data_template_{name}")
