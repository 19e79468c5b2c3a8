"""Status history at every quarter end (metrics.timeline)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from helpers import rows_from, valid

from siree_metrics.ingest import store
from siree_metrics.metrics import timeline
from siree_metrics.metrics.summary import summarize


def test_quarter_ends_cover_the_project_from_its_first_quarter_end() -> None:
    # the project starts 2018-03-01: its first quarter end is 2018-03-31
    assert timeline.quarter_ends(dt.date(2018, 3, 1), dt.date(2018, 12, 31)) == [
        dt.date(2018, 3, 31), dt.date(2018, 6, 30), dt.date(2018, 9, 30), dt.date(2018, 12, 31)]
    assert timeline.quarter_ends(dt.date(2018, 3, 1), dt.date(2018, 3, 30)) == []
    assert len(timeline.quarter_ends(dt.date(2018, 3, 1), dt.date(2021, 12, 31))) == 16  # 2018-Q1 .. 2021-Q4


def test_each_quarter_says_what_the_summary_says_at_that_date(db, write_csv, load) -> None:  # noqa: ANN001
    # Two networks: one launched 2019-03-15, one 2020-05-01 (target 4). At 2019-03-31: 1 network; at
    # 2020-06-30: 2; the rows for support_networks must equal summarize() at each quarter end.
    rows = [valid("networks"), valid("networks", network_id="N2", launched_on="2020-05-01")]
    assert load("networks", write_csv(rows_from(rows))).status == "loaded"
    with store.connect(db) as con:
        frame = timeline.quarterly(con, dt.date(2020, 6, 30))
        nets = frame[frame["indicator"] == "support_networks"].set_index("quarter_end")
        assert list(nets.index) == timeline.quarter_ends(dt.date(2018, 3, 1), dt.date(2020, 6, 30))
        assert nets.loc[dt.date(2018, 12, 31), "status"] != "not_started"
        assert nets.loc[dt.date(2019, 3, 31), "value"] == 1 and nets.loc[dt.date(2020, 6, 30), "value"] == 2
        for day in (dt.date(2019, 3, 31), dt.date(2020, 6, 30)):
            r = next(x for x in summarize(con, day).indicators if x.id == "support_networks")
            assert (nets.loc[day, "status"], nets.loc[day, "attainment"]) == (r.status, r.attainment)


def test_the_history_of_every_indicator_is_the_summary_at_each_quarter_end(tmp_path) -> None:  # noqa: ANN001
    """On the demo data (relative indicators too, whose baseline-window queries are answered from memory after
    the first quarter), every row equals a fresh summarize() at that date, field by field."""
    from siree_metrics.demo.build import build_demo_database

    db = tmp_path / "siree.duckdb"
    build_demo_database(db, tmp_path / "exports")
    with store.connect(db) as con:
        frame = timeline.quarterly(con, dt.date(2021, 12, 31))
        assert len(frame) == 8 * 16  # 8 indicators x 16 quarter ends (2018-Q1 .. 2021-Q4)
        for day in (dt.date(2018, 3, 31), dt.date(2019, 12, 31), dt.date(2021, 12, 31)):
            fresh = {r.id: (r.value, r.target, r.attainment, r.expected, r.status) for r in summarize(con, day).indicators}
            rows = frame[frame["quarter_end"] == day].set_index("indicator")
            shown = {i: tuple(None if pd.isna(x) else x for x in rows.loc[i, ["value", "target", "attainment",
                                                                             "expected", "status"]]) for i in fresh}
            assert shown == fresh


def test_a_remembering_connection_runs_a_repeated_query_once() -> None:
    class Counting:
        def __init__(self) -> None:
            self.runs = 0

        def execute(self, sql: str, params: dict | None = None):  # noqa: ANN202
            self.runs += 1
            import duckdb

            return duckdb.connect().execute(sql, params)

    counting = Counting()
    con = timeline.Remembering(counting)  # type: ignore[arg-type]
    first = con.execute("SELECT $a + 1", {"a": 1}).fetchall()
    first.append((99,))  # the caller's list: not the remembered one
    assert con.execute("SELECT $a + 1", {"a": 1}).fetchall() == [(2,)]
    assert con.execute("SELECT $a + 1", {"a": 2}).fetchone() == (3,)
    assert counting.runs == 2  # a=1 once, a=2 once
