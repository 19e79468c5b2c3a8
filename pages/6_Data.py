"""Data: upload a partner's file (checked with the command line's rules and words), the files loaded so
far, the corrections (retracted and restored files, what a file changed), which quarters each partner has sent,
and blank templates; for an admin, the accounts."""

from __future__ import annotations

import streamlit as st

from siree_metrics.charts import style
from siree_metrics.docs import template_csv
from siree_metrics.downloads import frame_csv
from siree_metrics.i18n import language, read_kept
from siree_metrics.ingest.contract import load_contract
from siree_metrics.metrics import history
from siree_metrics.reference import load_reference
from ui import data
from ui.auth import accounts_admin
from ui.corrections import corrections_section
from ui.figures import budget_charts
from ui.i18n import t
from ui.page import page, show_chart
from ui.upload import dataset_label, upload_form

view = page("Data", "📤")
contract = load_contract()

upload_tab, history_tab, corrections_tab, grid_tab, templates_tab = st.tabs(
    [t("Upload a file"), t("Loaded files"), t("Corrections and history"), t("Who sent what"), t("Blank templates")])

with upload_tab:
    upload_form()

with history_tab:
    files = data.frame(history.loaded_files)
    for kept_texts in ("file_format", "warnings"):  # stored in every language: shown in the reader's
        files[kept_texts] = files[kept_texts].map(read_kept)
    files["dataset"] = files["dataset"].map(dataset_label)
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
                "loaded_at": st.column_config.DatetimeColumn(t("When"), format=style.moment_format(language())),
                "loaded_by": st.column_config.TextColumn(t("Who"), width="medium"), "dataset": t("Dataset"),
                "file_name": t("File"),
                "file_format": t("Format"), "rows": st.column_config.NumberColumn(t("Rows"), format="%d"),
                "replaced_rows": st.column_config.NumberColumn(t("Replaced rows"), format="%d"),
                "warnings": t("Warnings"),
            })
        st.download_button(t("Download CSV"), frame_csv(files),  # file names and warnings: formulas neutralised
                           file_name="siree_loaded_files.csv", mime="text/csv", on_click="ignore",
                           key="data_files_download")
    late = data.frame(history.outside_project_period)
    if not late.empty:
        st.subheader(t("Records outside the project period"))
        st.caption(t("Dated after the project end ({end}): stored and exported, but outside every result, which "
                     "stops at the project end.", end=load_reference().programme.end))
        st.dataframe(late, hide_index=True, width="stretch")

with corrections_tab:
    corrections_section()  # retracted and restored files, what a file changed; an admin retracts and restores

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
    latest = history.quarter_label(until)
    submitted, sending = history.submission_counts(grid, None if which == "all" else latest)
    coverage = t("{k} of {n} partner datasets have rows for {quarter}" if which == "all"
                 else "{k} of {n} partners that send it have rows for {quarter}",
                 k=submitted, n=sending, quarter=latest)
    name = "submissions_all" if which == "all" else f"submissions_of_{which}"
    show_chart(budget_charts.submissions(grid, across, t, view.lang), grid, name, view.as_of, coverage=coverage,
               empty=t("No partner in this selection.") if grid.empty else None)

with templates_tab:
    st.markdown(t("One blank file per dataset, with the column names in the first row. The rules for every "
                  "column are in docs/data-contract.md; Dutch and French column names are accepted too."))
    for name, ds in contract.items():
        text = template_csv(name)  # what data/templates/ holds (test_docs keeps them equal)
        left, right = st.columns([3, 2])
        left.markdown(f"**{t(ds.label)}** (`{name}`) — " + t("one row is {row}; required: {cols}", row=t(ds.row),
                                                             cols=", ".join(ds.required)))
        right.download_button(t("Download {name}.csv", name=name), text.encode("utf-8"), file_name=f"{name}.csv",
                              mime="text/csv", on_click="ignore", key=f"data_template_{name}")

accounts_admin()  # an admin's only: who may log in, with which role
