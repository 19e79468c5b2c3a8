"""Like with like, window completeness, the status vocabulary around the project's dates, the as-of rule and
the empty selection: ``summarize`` on purpose-built inline data, every expected value derived by hand.

Programme: 2018-03-01 to 2021-12-31 (1401 days). Baseline window 2017-03..2018-02 (12 months). At as-of
2019-06-30 the current window is 2018-07..2019-06 (12 months) and f = 486 / 1401 = 0.347.
"""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import TODAY, csv_bytes

from siree_metrics.ingest import store
from siree_metrics.ingest.load import load_file
from siree_metrics.metrics import attainment as att
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.levels import outside_project
from siree_metrics.metrics.summary import as_of_rule, summarize

AS_OF = dt.date(2019, 6, 30)
approx = pytest.approx


def months(first: str, count: int) -> list[str]:
    """``count`` consecutive months from ``first`` (YYYY-MM) as YYYY-MM."""
    y, m = map(int, first.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


BASELINE = months("2017-03", 12)  # 2017-03 .. 2018-02
CURRENT = months("2018-07", 12)  # 2018-07 .. 2019-06, the current window at AS_OF

DATA = {
    "adult_education": [
        ["partner_id", "region", "provider_id", "month", "new_enrolments"],
        *[["ARHUS", "BE256", "A1", m, "10"] for m in BASELINE],  # baseline 12 x 10 = 120
        *[["ARHUS", "BE256", "A1", m, "11"] for m in CURRENT],  # current 12 x 11 = 132
        *[["VIVES", "BE251", "V1", m, "5"] for m in BASELINE],  # baseline 12 x 5 = 60
        *[["VIVES", "BE251", "V1", m, "6"] for m in CURRENT],  # current 12 x 6 = 72
        *[["UCR", "NL342", "U1", m, "100"] for m in CURRENT],  # current only: no baseline, left out
        *[["LSF", "BE255", "L1", m, "50"] for m in BASELINE],  # baseline only: nothing now, left out
    ],
    "parent_involvement": [
        ["partner_id", "region", "community_id", "month", "parents_total", "parents_engaged"],
        *[["ADICE", "FRE11", "P1", m, "100", "30"] for m in BASELINE],  # baseline share 360 / 1200 = 30 %
        # a gap: only 9 of the 12 current months (2018-07..2019-03), share 297 / 900 = 33 %
        *[["ADICE", "FRE11", "P1", m, "100", "33"] for m in CURRENT[:9]],
    ],
    "school_attendance": [
        ["partner_id", "region", "school_id", "month", "children_enrolled", "children_attending"],
        # baseline: 80 attending a month, of 100 enrolled (rate 80 %)
        *[["MECHELEN", "BE212", "S1", m, "100", "80"] for m in BASELINE],
        # current: 88 attending a month (+10 % children), of 110 enrolled (rate 88 / 110 = 80 %: unchanged)
        *[["MECHELEN", "BE212", "S1", m, "110", "88"] for m in CURRENT],
    ],
    "teacher_training": [
        ["partner_id", "region", "teacher_id", "training_id", "training_date", "hours", "completed"],
        ["VIVES", "BE251", "T1", "TR1", "2018-09-01", "6", "no"],  # a row, but nobody completed: 0 teachers
    ],
    "learning_communities": [
        ["community_id", "partner_id", "region", "established_on", "setting"],
        ["C1", "ADICE", "FRE11", "2018-05-01", "primary"],
        ["C2", "ADICE", "FRE11", "2019-05-10", "primary"],
    ],
    "networks": [
        ["network_id", "partner_id", "region", "launched_on", "members"],
        ["N1", "ARHUS", "BE256", "2018-11-01", "12"],
        ["N2", "ARHUS", "BE256", "2019-01-01", "12"],
        ["N3", "ARHUS", "BE256", "2020-01-01", "12"],
    ],
    "expenditure": [
        ["partner_id", "line_id", "paid_on", "cost_category", "amount_eur"],
        ["UOG", "L1", "2019-03-01", "staff", "1000"],
        ["UOG", "L2", "2022-01-14", "staff", "100"],  # a stray record after the project end
    ],
}


def build(folder, data) -> object:
    db = folder / "siree.duckdb"
    for dataset, rows in data.items():
        path = folder / f"{dataset}.csv"
        path.write_bytes(csv_bytes(rows))
        result = load_file(db, dataset, path, today=TODAY)
        assert result.status == "loaded", result.report()
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build(tmp_path_factory.mktemp("coverage"), DATA)


@pytest.fixture(scope="module")
def run(db):
    def run(as_of: dt.date | None = AS_OF, **filters: tuple[str, ...]):
        with store.connect(db) as con:
            return summarize(con, as_of, Filters(**filters))

    return run


def by_id(summary) -> dict:
    return {r.id: r for r in summary.indicators}


# -- like with like --------------------------------------------------------------------------------------------

def test_a_partner_without_baseline_is_left_out_of_both_windows(run):
    r = by_id(run())["adult_education_inflow"]
    # only ARHUS and VIVES have rows in both windows: baseline 120 + 60 = 180, current 132 + 72 = 204
    # (with UCR's 1200 current enrolments and LSF's 600 baseline ones it would be 1404 / 780 - 1 = +80 %)
    assert (r.baseline, r.current) == (approx(180), approx(204))
    assert r.value == approx(204 / 180 - 1)  # +13.3 %
    assert r.n == 24 and r.n_baseline == 24  # 12 + 12 rows in each window
    c = r.coverage
    assert c.reporting == ["ARHUS", "LSF", "UCR", "VIVES"]
    assert c.included == ["ARHUS", "VIVES"]
    assert c.left_out == {"LSF": "has no rows in the current window", "UCR": "has no baseline"}
    assert c.text() == ("2 of 4 partners reporting this indicator; LSF has no rows in the current window; "
                        "UCR has no baseline")
    assert c.complete is True  # both included partners have all 12 months in both windows


def test_like_with_like_holds_for_country_and_region_figures(run):
    be = by_id(run(countries=("BE",)))["adult_education_inflow"]
    assert be.value == approx(204 / 180 - 1)  # ARHUS and VIVES again; LSF (BE) left out, UCR is not in BE
    assert be.coverage.left_out == {"LSF": "has no rows in the current window"}
    nl = by_id(run(regions=("NL342",)))["adult_education_inflow"]
    assert nl.status == "baseline_missing"  # UCR alone: no baseline, so no change, never a figure
    assert (nl.value, nl.attainment) == (None, None)
    assert nl.current == approx(1200)  # shown for information: 12 x 100


# -- window completeness ---------------------------------------------------------------------------------------

def test_a_gap_in_the_current_window_is_counted_and_flagged(run):
    r = by_id(run())["parent_involvement"]
    assert r.coverage.months_missing == {"ADICE": {"baseline": 0, "current": 3}}  # 2019-04..2019-06 missing
    assert r.coverage.complete is False  # 9 of 12 months: fewer than 10
    assert r.incomplete
    assert (r.baseline, r.current) == (approx(0.30), approx(0.33))
    assert r.value == approx(0.10)  # 0.33 / 0.30 - 1
    # the unit stated: a relative change of the share, and the points beside it
    assert r.change_text() == "+10.0% relative to the baseline share (30.0% → 33.0%, +3.0 points)"
    assert "window incomplete, months missing: ADICE 0 baseline / 3 current" in r.coverage.text()


def test_the_alternative_reading_is_computed_beside_the_target_figure(run):
    r = by_id(run())["children_in_school"]
    assert r.value == approx(88 / 80 - 1)  # the target's reading: +10 % children attending a month
    assert r.change_text() == "+10.0% relative to the baseline monthly mean (80 → 88 children attending per month)"
    alt = r.alternative
    assert alt.label.startswith("attendance rate")
    assert (alt.baseline, alt.current) == (approx(0.80), approx(0.80))  # 960/1200 and 1056/1320
    assert alt.change == approx(0.0) and alt.points == approx(0.0)  # more children, same attendance rate


# -- zero, region, empty selection -------------------------------------------------------------------------

def test_zero_is_a_value_not_no_data(run):
    r = by_id(run(partners=("VIVES",)))["teachers_trained"]
    assert r.value == 0 and r.n == 1  # one row, nobody completed
    assert r.attainment == 0
    assert r.status == "behind"  # 0 < 0.6 f = 0.208
    none = by_id(run(partners=("UOG",)))["teachers_trained"]
    assert (none.value, none.status) == (None, "no_data")  # no rows at all: no data


def test_a_count_under_a_region_filter_has_a_value_and_no_target(run):
    r = by_id(run(regions=("FRE11",)))["learning_communities"]
    assert (r.value, r.target, r.attainment) == (2, None, None)  # C1 and C2 of ADICE
    assert r.status == "no_target"


def test_an_empty_selection_says_so(run):
    s = run(countries=("FR",), partners=("MECHELEN",))  # MECHELEN is Belgian
    assert s.empty_selection
    assert {r.status for r in s.indicators} == {"empty_selection"}
    assert all(r.target is None and r.value is None for r in s.indicators)  # never a target of 0
    assert s.to_json()["empty_selection"] is True
    assert not run(countries=("BE",), partners=("MECHELEN",)).empty_selection


# -- statuses around the project's dates ---------------------------------------------------------------------

@pytest.mark.parametrize("attained, status", [(0.95, "not_achieved"), (0.84, "not_achieved"), (1.0, "achieved")])
def test_after_the_end_there_is_no_track(attained, status):
    assert att.status(attained, 1.0, final=True) == status
    assert att.status(0.95, 1.0) == "on_track"  # the same figure during the project


def test_statuses_at_the_end_are_final(run):
    s = run(dt.date(2021, 12, 31))
    assert s.final
    networks = by_id(s)["support_networks"]
    assert (networks.value, networks.attainment) == (3, approx(0.75))  # N1, N2, N3 of 4
    assert networks.status == "not_achieved"  # at f = 1 it used to read "at risk"


def test_as_of_after_the_end_is_capped(run):
    s = run(dt.date(2022, 6, 30))
    assert (s.as_of, s.requested_as_of, s.final) == (dt.date(2021, 12, 31), dt.date(2022, 6, 30), True)
    assert "final figures" in s.as_of_reason
    assert by_id(s)["support_networks"].status == "not_achieved"


def test_before_the_start_the_project_has_not_started(run):
    s = by_id(run(dt.date(2017, 12, 31)))
    assert {r.status for r in s.values()} == {"not_started"}
    assert all(r.attainment is None for r in s.values())  # never 0 % "on track"
    assert s["adult_education_inflow"].value is None


def test_no_current_value_while_the_current_window_overlaps_the_baseline(run):
    # as-of 2019-01-31: window 2018-02..2019-01 still holds 2018-02, a baseline month
    r = by_id(run(dt.date(2019, 1, 31)))["adult_education_inflow"]
    assert r.status == "too_early" and r.value is None
    assert "first comparison is at as-of 28 Feb 2019" in r.note
    # as-of 2019-02-28: window 2018-03..2019-02 lies after the baseline; ARHUS and VIVES have current rows
    # in 2018-07..2019-02 (8 months each): 8 x 11 + 8 x 6 = 136 against 180
    r = by_id(run(dt.date(2019, 2, 28)))["adult_education_inflow"]
    assert r.current == approx(136) and r.value == approx(136 / 180 - 1)
    assert r.coverage.complete is False  # 8 of 12 current months


# -- the as-of rule ------------------------------------------------------------------------------------------

def test_one_stray_record_cannot_move_the_default_as_of(db):
    # latest month per (dataset, partner): adult_education ARHUS, VIVES, UCR 2019-06; LSF 2018-02;
    # parent_involvement ADICE 2019-03; school_attendance MECHELEN 2019-06; teacher_training VIVES 2018-09;
    # learning_communities ADICE 2019-05; networks ARHUS 2020-01; expenditure UOG 2022-01 (the stray EUR 100).
    # Sorted newest first: 2022-01, 2020-01, 2019-06 x4, 2019-05, 2019-03, 2018-09, 2018-02 (10 pairs);
    # the 6th newest (index 10 // 2 = 5) is 2019-06, reached by 6 of the 10 pairs.
    with store.connect(db) as con:
        rule = as_of_rule(con)
        stray = outside_project(con, dt.date(2021, 12, 31))
    assert rule.date == dt.date(2019, 6, 30)
    assert "6 of 10" in rule.reason
    assert stray == [("expenditure", "UOG", 1, dt.date(2022, 1, 14), dt.date(2022, 1, 14))]


def test_the_default_as_of_is_capped_at_the_project_end(tmp_path):
    # two of three pairs reach 2022-01: the majority month is 2022-01-31, capped at 2021-12-31
    db = build(tmp_path, {"networks": [
        ["network_id", "partner_id", "region", "launched_on", "members"],
        ["N1", "ARHUS", "BE256", "2022-01-03", "12"], ["N1", "VIVES", "BE251", "2022-01-05", "12"],
        ["N1", "UCR", "NL342", "2019-01-01", "12"]]})
    with store.connect(db) as con:
        rule = as_of_rule(con)
        s = summarize(con)
    assert rule.date == dt.date(2021, 12, 31) and "project end" in rule.reason
    assert s.as_of == dt.date(2021, 12, 31) and s.final


def test_the_data_page_lists_records_outside_the_project_period(db, monkeypatch):
    from helpers import ROOT
    from streamlit.testing.v1 import AppTest

    from siree_metrics.metrics.history import outside_project_period

    with store.connect(db) as con:
        late = outside_project_period(con)
    assert late.to_dict("records") == [{"dataset": "expenditure", "partner_id": "UOG", "rows": 1,
                                        "first": dt.date(2022, 1, 14), "last": dt.date(2022, 1, 14)}]
    monkeypatch.setenv("SIREE_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at = at.switch_page("pages/6_Data.py").run()
    assert not at.exception
    assert any(h.value == "Records outside the project period" for h in at.subheader)


def test_the_table_states_units_coverage_and_the_empty_selection(run):
    from siree_metrics.cli import format_table

    text = format_table(run())
    assert "+10.0% relative to the baseline share (30.0% → 33.0%, +3.0 points)" in text
    assert "2 of 4 partners reporting this indicator; LSF has no rows in the current window; UCR has no baseline" \
        in text
    assert "! window incomplete" in text  # parent involvement: 9 of 12 current months
    empty = format_table(run(countries=("FR",), partners=("MECHELEN",)))
    assert "the selection is empty" in empty

