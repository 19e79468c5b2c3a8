"""Status history: each target's attainment and status at every quarter end, so a committee sees when a
target slipped (siree_metrics.meetings.status_history, each row what the summary said at that date)."""

from __future__ import annotations

import streamlit as st

from siree_metrics.charts import style
from siree_metrics.reference import load_reference
from ui import meeting
from ui.i18n import t
from ui.page import page, show_chart

view = page("Status history", "🕒")
ref = load_reference()
st.caption(t("Attainment at each quarter end from the project start to the as-of date, against the pace expected "
             "by then; each point is the status the Overview showed at that date (set the as-of date there to check "
             "one). Shaded months carry a committee note."))
history = meeting.status_history(view.as_of, view.filters)
for ind in ref.indicators:
    rows = history[history["indicator"] == ind.id].reset_index(drop=True)
    st.subheader(ind.label(view.lang))
    if rows.empty:
        st.info(t("No quarter has ended between the project start and the as-of date."))
        continue
    slipped = [q for q, a, b in zip(rows["quarter_end"][1:], rows["status"][:-1], rows["status"][1:], strict=True)
               if a in ("achieved", "on_track") and b in ("at_risk", "behind")]
    if slipped:
        st.caption(t("Slipped from on track in the quarter ending {dates}.",
                     dates=", ".join(view.date(d) for d in slipped)))
    table = rows.drop(columns=["label"]).assign(status=[t(style.STATUS_WORDS[s]) for s in rows["status"]])
    show_chart(meeting.history_figure(rows, meeting.notes(ind.id, view.as_of)), table, f"status_history_of_{ind.id}",
               view.as_of)
    meeting.notes_under(meeting.notes(ind.id, view.as_of))
