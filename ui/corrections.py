"""The Data page's "Corrections and history": every loaded file with its state, the retractions and
restorations, what a file changed against the one it replaced (row by row), and, for an admin, retracting and
restoring a file. A partner sees the files holding its rows, compared on its rows only; a viewer, neither.
File names, reasons and cells are the users' text: shown in tables or escaped, never as Markdown."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from siree_metrics.charts import style
from siree_metrics.i18n import language
from siree_metrics.ingest import audit, store

from . import auth, data
from .i18n import t
from .upload import dataset_label

DONE = "corrections_done"  # the message of the act just done, shown after the rerun that follows it


def _label(files: pd.DataFrame, batch: int) -> str:
    row = files[files["batch_id"] == batch].iloc[0]
    state = "" if row["state"] == "current" else " · " + t("retracted")
    return f"{batch} · {row['file_name']} · {row['dataset']} · {style.moment(row['loaded_at'], language())}{state}"


def _words(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """``frame`` with the state or act words of ``column`` (current, retracted, restored) in the reader's language."""
    words = {"current": t("current"), audit.RETRACTED: t("retracted"), audit.RESTORED: t("restored")}
    return frame.assign(**{column: frame[column].map(lambda w: words.get(w, w))})


def corrections_section() -> None:
    """Draw the section (see the module docstring)."""
    user = auth.current_user()
    if not (user.is_admin or user.role == "partner"):
        st.info(t("Log in as a partner or an admin to see which files were retracted or restored, and what each "
                  "file changed, row by row."))
        return
    files = data.frame(audit.batches)
    if not user.is_admin:
        files = files[[user.partner_id in p.split(",") for p in files["partners"]]]
    if files.empty:
        st.info(t("No file has been loaded yet."))
        return
    st.caption(t("Nothing is ever deleted. A retracted file's rows are kept but left out of every figure, and "
                 "the rows it had replaced count again (unless a later file replaced them too); restoring it "
                 "undoes that. Each act is logged with who, when and why. To see the figures as they stood at a "
                 "past moment, add ?as_loaded_on=YYYY-MM-DD (or YYYY-MM-DDTHH:MM) to any page's link."))
    shown = _words(files, "state").assign(dataset=files["dataset"].map(dataset_label))
    st.dataframe(shown, hide_index=True, width="stretch", height=280,
                 column_order=["batch_id", "state", "loaded_at", "loaded_by", "dataset", "file_name", "partners",
                               "rows", "replaced_rows"],
                 column_config={"batch_id": st.column_config.NumberColumn(t("Batch"), format="%d"),
                                "state": t("State"),
                                "loaded_at": st.column_config.DatetimeColumn(t("When"), format=style.moment_format(language(), True)),
                                "loaded_by": t("Who"), "dataset": t("Dataset"), "file_name": t("File"),
                                "partners": t("Partners"),
                                "rows": st.column_config.NumberColumn(t("Rows"), format="%d"),
                                "replaced_rows": st.column_config.NumberColumn(t("Replaced rows"), format="%d")})
    log = data.frame(audit.log)
    if not user.is_admin:
        log = log[log["batch_id"].isin(files["batch_id"])]
    st.subheader(t("Retractions and restorations"))
    if log.empty:
        st.caption(t("None so far."))
    else:
        st.dataframe(_words(log, "action"), hide_index=True, width="stretch",
                     column_order=["done_at", "action", "batch_id", "file_name", "done_by", "reason", "rows_out",
                                   "rows_back"],
                     column_config={"done_at": st.column_config.DatetimeColumn(t("When"), format=style.moment_format(language(), True)),
                                    "action": t("Act"), "batch_id": st.column_config.NumberColumn(t("Batch"), format="%d"),
                                    "file_name": t("File"), "done_by": t("Who"), "reason": t("Why"),
                                    "rows_out": st.column_config.NumberColumn(t("Rows taken out"), format="%d"),
                                    "rows_back": st.column_config.NumberColumn(t("Rows brought back"), format="%d")})
    _comparison(files, None if user.is_admin else user.partner_id)
    if user.is_admin and data.as_loaded_on() is None:
        _acts(files, str(user.name))
    elif user.is_admin:
        st.caption(t("Retracting and restoring act on the data as they are now: remove as_loaded_on from the link."))


def _comparison(files: pd.DataFrame, partner: str | None) -> None:
    st.subheader(t("What a file changed"))
    batch = st.selectbox(t("File"), files["batch_id"].tolist(), key="corrections_compare",
                         format_func=lambda b: _label(files, b))
    c = data.frame(audit.compare, int(batch), None, partner)
    if c.against is None:
        st.caption(t("No earlier file shares a key with batch {b}: every row it holds is new.", b=c.batch))
    else:
        st.caption(t("Batch {b} against batch {a}, the earlier file sharing most keys with it (the rows it "
                     "replaced); only the partners batch {b} holds rows of are compared.", b=c.batch, a=c.against))
    cols = st.columns(4)
    cols[0].metric(t("Rows added"), len(c.added))
    cols[1].metric(t("Rows changed"), c.changed["row"].nunique() if len(c.changed) else 0)
    cols[2].metric(t("Keys gone"), len(c.gone))
    cols[3].metric(t("Rows unchanged"), c.unchanged)
    for title, frame in ((t("Changed cells (old and new, as sent)"), c.changed), (t("Rows added"), c.added),
                         (t("Rows whose key is not in this file (sent in batch {a})", a=c.against), c.gone)):
        if len(frame):
            with st.expander(f"{title} ({len(frame):,})"):
                st.dataframe(frame, hide_index=True, width="stretch")


def _acts(files: pd.DataFrame, by: str) -> None:
    st.subheader(t("Retract or restore a file"))
    action = st.radio(t("Act"), [audit.RETRACTED, audit.RESTORED], horizontal=True, key="corrections_action",
                      format_func=lambda a: t("Retract a file") if a == audit.RETRACTED else t("Restore a retracted file"))
    wanted = "current" if action == audit.RETRACTED else "retracted"
    choices = files.loc[files["state"] == wanted, "batch_id"].tolist()
    if not choices:
        st.caption(t("No file to restore: none is retracted.") if action == audit.RESTORED
                   else t("No file to retract."))
        return
    batch = st.selectbox(t("File"), choices, key="corrections_batch", format_func=lambda b: _label(files, b))
    reason = st.text_input(t("Why (kept in the log)"), max_chars=500, key="corrections_reason")
    verb = t("Retract") if action == audit.RETRACTED else t("Restore")
    if st.button(f"{verb} {t('batch')} {int(batch)}", type="primary", disabled=not reason.strip(),
                 key="corrections_go"):
        data.release()  # the act writes: let go of the shared reader first
        act = audit.retract if action == audit.RETRACTED else audit.restore
        try:
            done = act(data.db_path(), int(batch), by, reason)
        except (audit.AuditError, store.Busy) as e:  # nothing was done: say why
            st.error(auth.plain(str(e)))
            return
        st.cache_data.clear()  # every page shows the figures without (or with) it at once
        st.session_state[DONE] = done.message
        st.rerun()  # draw the lists above again, with the act in them
    if DONE in st.session_state:
        st.success(auth.plain(st.session_state.pop(DONE)))
