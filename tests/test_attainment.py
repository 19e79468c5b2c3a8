"""Attainment: the pure functions on hand-computed examples, then ``summarize`` on a tiny programme whose
every figure below is worked out by hand from the rows in ``PROGRAMME``.

Programme: 2018-03-01 to 2021-12-31 (1401 days). Baseline window 2017-03..2018-02. At as-of 2019-06-30
the current window is 2018-07..2019-06 and the share of time elapsed is f = 486 / 1401.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from decimal import Decimal

import pytest
from helpers import ROOT, TODAY, csv_bytes

from siree_metrics.ingest import store
from siree_metrics.ingest.load import load_file
from siree_metrics.metrics import attainment as att
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import summarize

START, END = dt.date(2018, 3, 1), dt.date(2021, 12, 31)
AS_OF = dt.date(2019, 6, 30)
F = 486 / 1401
approx = pytest.approx


# -- pure functions -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("as_of, expected", [
    (START, 0.0), (dt.date(2017, 6, 1), 0.0), (dt.date(2018, 2, 28), 0.0),  # before the start: clamped to 0
    (AS_OF, 486 / 1401), (dt.date(2020, 1, 15), 685 / 1401),
    (END, 1.0), (dt.date(2023, 1, 1), 1.0),  # after the end: clamped to 1
])
def test_expected_share_of_time(as_of, expected):
    assert att.expected(as_of, START, END) == approx(expected)


def test_expected_with_an_empty_programme_is_complete():
    assert att.expected(START, START, START) == 1.0


@pytest.mark.parametrize("current, baseline, change", [
    (110.0, 100.0, 0.10), (90.0, 100.0, -0.10), (100.0, 100.0, 0.0), (0.0, 50.0, -1.0),
    (None, 100.0, None), (100.0, None, None), (100.0, 0.0, None), (None, None, None),
])
def test_relative_change(current, baseline, change):
    got = att.relative_change(current, baseline)
    assert got == (None if change is None else approx(change))


@pytest.mark.parametrize("value, target, expected", [
    (20, 40, 0.5), (40, 40, 1.0), (50, 40, 1.25), (0, 40, 0.0),
    (-0.05, 0.10, -0.5),  # a relative indicator that went down
    (0.13, 0.10, 1.3),
    (10, 0, None), (10, None, None), (None, 40, None), (math.nan, 40, None),
])
def test_attainment(value, target, expected):
    got = att.attainment(value, target)
    assert got == (None if expected is None else approx(expected))


@pytest.mark.parametrize("attained, f, status", [
    (1.0, 0.5, "achieved"), (1.7, 0.1, "achieved"),
    (0.45, 0.5, "on_track"),  # exactly 0.9 f
    (0.449, 0.5, "at_risk"),
    (0.30, 0.5, "at_risk"),  # exactly 0.6 f
    (0.299, 0.5, "behind"),
    (0.0, 0.0, "on_track"),  # nothing expected yet
    (0.95, 1.0, "on_track"), (0.6, 1.0, "at_risk"), (0.59, 1.0, "behind"),
    (None, 0.5, "no_data"),
])
def test_status_thresholds(attained, f, status):
    assert att.status(attained, f) == status


def test_status_thresholds_are_configurable():
    assert att.status(0.4, 0.5) == "at_risk"
    assert att.status(0.4, 0.5, on_track=0.8, at_risk=0.5) == "on_track"
    assert att.status(0.2, 0.5, on_track=0.8, at_risk=0.5) == "behind"


@pytest.mark.parametrize("value, f, forecast", [
    (10, 0.5, 20.0), (1, F, 1401 / 486), (0, 0.5, 0.0), (10, 1.0, 10.0), (10, 0.0, None), (None, 0.5, None),
])
def test_forecast(value, f, forecast):
    got = att.forecast(value, f)
    assert got == (None if forecast is None else approx(forecast))


# -- a tiny programme, loaded through the real loader ------------------------------------------------------

PROGRAMME = {
    "learning_communities": [
        ["community_id", "partner_id", "region", "established_on", "setting"],
        ["C1", "ADICE", "FRE11", "2018-05-01", "primary"],
        ["C1", "UOG", "UKJ41", "2018-06-01", "adult"],  # same id, other partner: another community
        ["C2", "MECHELEN", "BE212", "10/01/2019", "secondary"],
        ["C3", "VIVES", "BE251", "2020-02-01", "primary"],  # after the as-of date
    ],
    "teacher_training": [
        ["partner_id", "region", "teacher_id", "training_id", "training_date", "hours", "completed"],
        ["VIVES", "BE251", "T1", "TR1", "2018-09-01", "6", "yes"],
        ["VIVES", "BE251", "T1", "TR2", "2019-01-01", "6", "ja"],  # the same teacher again: counted once
        ["VIVES", "BE251", "T2", "TR1", "2018-09-01", "6", "no"],  # not completed
        ["VIVES", "BE251", "T2", "TR3", "2019-08-01", "6", "yes"],  # completed after the as-of date
        ["ADICE", "FRE11", "T1", "TR1", "2018-10-01", "3,5", "oui"],  # same id, other partner: another teacher
        ["ADICE", "FRE11", "T3", "TR1", "2019-02-01", "3,5", "non"],
    ],
    "startups": [
        ["partner_id", "region", "entrepreneur_id", "registered_on", "sector", "jobs_created"],
        ["UOG", "UKJ41", "E1", "2018-10-01", "catering", "2"],
        ["UOG", "UKJ41", "E2", "2019-03-01", "cleaning", ""],  # jobs_created left empty: 0
        ["ADICE", "FRE11", "E1", "2019-04-01", "retail", "3"],
        ["ADICE", "FRE11", "E3", "2019-09-01", "retail", "10"],  # after the as-of date
    ],
    "networks": [
        ["network_id", "partner_id", "region", "launched_on", "members"],
        ["N1", "ADICE", "FRE11", "2018-11-01", "12"],
        ["N1", "ARHUS", "BE256", "2019-07-01", "8"],  # after the as-of date
    ],
    "parent_involvement": [
        ["partner_id", "region", "community_id", "month", "parents_total", "parents_engaged"],
        ["ADICE", "FRE11", "P1", "2017-02", "100", "100"],  # before the baseline window
        ["ADICE", "FRE11", "P1", "2017-03", "100", "20"],  # baseline
        ["ADICE", "FRE11", "P1", "2018-02", "100", "30"],  # baseline
        ["UCR", "NL342", "Q1", "2017-06", "50", "10"],  # baseline
        ["ADICE", "FRE11", "P1", "2018-06", "10", "10"],  # in neither window
        ["ADICE", "FRE11", "P1", "2018-07", "100", "25"],  # current
        ["ADICE", "FRE11", "P1", "2019-06", "100", "35"],  # current
        ["UCR", "NL342", "Q1", "2019-01", "50", "15"],  # current
        ["MIDDELBURG", "NL342", "M1", "2019-02", "40", "8"],  # current; this partner has no baseline
        ["ADICE", "FRE11", "P1", "2019-07", "100", "100"],  # after the as-of month
    ],
    "school_attendance": [
        ["partner_id", "region", "school_id", "month", "children_enrolled", "children_attending"],
        ["MECHELEN", "BE212", "S1", "2017-02", "600", "500"],  # before the baseline window
        ["MECHELEN", "BE212", "S1", "2017-04", "12", "10"],  # baseline month 2017-04: 10 + 20 = 30
        ["MECHELEN", "BE212", "S2", "2017-04", "25", "20"],
        ["MECHELEN", "BE212", "S1", "2017-05", "60", "50"],  # baseline month 2017-05: 50
        ["MECHELEN", "BE212", "S1", "2018-09", "45", "40"],  # current month 2018-09: 40 + 35 = 75
        ["MECHELEN", "BE212", "S2", "2018-09", "40", "35"],
        ["MECHELEN", "BE212", "S1", "2019-05", "50", "45"],  # current month 2019-05: 45
        ["MECHELEN", "BE212", "S1", "2019-07", "999", "999"],  # after the as-of month
    ],
    "adult_education": [
        ["partner_id", "region", "provider_id", "month", "new_enrolments"],
        ["ARHUS", "BE256", "CVO1", "2017-02", "100"],  # before the baseline window
        ["ARHUS", "BE256", "CVO1", "2017-03", "10"],  # baseline
        ["ARHUS", "BE256", "CVO1", "2018-02", "10"],  # baseline
        ["ARHUS", "BE256", "CVO1", "2018-03", "1000"],  # after the baseline, before the current window
        ["ARHUS", "BE256", "CVO1", "2018-07", "11"],  # current
        ["ARHUS", "BE256", "CVO1", "2019-06", "10"],  # current
        ["ARHUS", "BE256", "CVO1", "2019-07", "500"],  # after the as-of month
    ],
    "expenditure": [
        ["partner_id", "line_id", "paid_on", "cost_category", "amount_eur"],
        ["LSF", "L1", "2018-05-01", "staff", "1.000,00"],
        ["LSF", "L2", "2019-01-01", "travel", "250,50"],
        ["LSF", "L3", "2019-02-01", "staff", "-100"],  # a correction
        ["ADICE", "L1", "2019-03-01", "equipment", "2 000"],
        ["ADICE", "L2", "2019-08-01", "staff", "999"],  # paid after the as-of date
        ["UOG", "L1", "2019-06-30", "office_admin", "300.25"],  # paid on the as-of date
    ],
}


@pytest.fixture(scope="module")
def programme_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("programme")
    db = folder / "siree.duckdb"
    for dataset, rows in PROGRAMME.items():
        path = folder / f"{dataset}.csv"
        path.write_bytes(csv_bytes(rows))
        result = load_file(db, dataset, path, today=TODAY)
        assert result.status == "loaded", result.report()
    return db


@pytest.fixture(scope="module")
def summary(programme_db):
    def run(as_of: dt.date = AS_OF, **filters: tuple[str, ...]) -> dict:
        with store.connect(programme_db) as con:
            s = summarize(con, as_of, Filters(**filters))
        return {"by_id": {r.id: r for r in s.indicators}, "budget": s.budget, "summary": s}

    return run


def test_count_indicators_by_hand(summary):
    by_id = summary()["by_id"]
    assert by_id["learning_communities"].value == 3  # ADICE C1, UOG C1, MECHELEN C2
    assert by_id["teachers_trained"].value == 2  # VIVES T1, ADICE T1
    assert by_id["new_entrepreneurs"].value == 3  # UOG E1, UOG E2, ADICE E1
    assert by_id["jobs_created"].value == 5  # 2 + 0 + 3
    assert by_id["support_networks"].value == 1  # ADICE N1


def test_counts_move_with_the_as_of_date(summary):
    by_id = summary(dt.date(2019, 12, 31))["by_id"]
    assert by_id["learning_communities"].value == 3
    assert by_id["teachers_trained"].value == 3  # VIVES T2 completed TR3 on 2019-08-01
    assert by_id["new_entrepreneurs"].value == 4
    assert by_id["jobs_created"].value == 15
    assert by_id["support_networks"].value == 2  # ARHUS N1 is its own network


def test_count_attainment_status_and_forecast(summary):
    by_id = summary()["by_id"]
    lc = by_id["learning_communities"]
    assert (lc.target, lc.attainment, lc.expected) == (40, approx(3 / 40), approx(F))
    assert lc.status == "behind"  # 0.075 < 0.6 f = 0.208
    assert lc.forecast == approx(3 / F)
    networks = by_id["support_networks"]
    assert networks.attainment == approx(0.25)
    assert networks.status == "at_risk"  # 0.6 f = 0.208 <= 0.25 < 0.9 f = 0.312
    assert networks.forecast == approx(1401 / 486)
    jobs = by_id["jobs_created"]
    assert (jobs.attainment, jobs.status) == (approx(5 / 40), "behind")


def test_ratio_parent_involvement_by_hand(summary):
    r = summary()["by_id"]["parent_involvement"]
    baseline = (20 + 30 + 10) / (100 + 100 + 50)  # a ratio of sums, not a mean of ratios
    # like with like: MIDDELBURG has no baseline, so its 8 / 40 is left out of the current window too
    current = (25 + 35 + 15) / (100 + 100 + 50)
    assert r.baseline == approx(baseline)
    assert r.current == approx(current)
    assert r.value == approx(current / baseline - 1)
    assert r.target == approx(0.10)
    assert r.attainment == approx((current / baseline - 1) / 0.10)
    assert r.status == "achieved"
    assert r.forecast is None
    assert r.coverage.left_out == {"MIDDELBURG": "has no baseline"}
    assert r.coverage.text().startswith("2 of 3 partners reporting this indicator; MIDDELBURG has no baseline")


def test_monthly_mean_children_in_school_by_hand(summary):
    r = summary()["by_id"]["children_in_school"]
    assert r.baseline == approx((30 + 50) / 2)  # the mean over the two months with rows, not over 12
    assert r.current == approx((75 + 45) / 2)
    assert r.value == approx(60 / 40 - 1)
    assert r.attainment == approx(0.5 / 0.20)
    assert r.status == "achieved"


def test_window_sum_adult_education_by_hand(summary):
    r = summary()["by_id"]["adult_education_inflow"]
    assert r.baseline == approx(20)
    assert r.current == approx(21)
    assert r.value == approx(21 / 20 - 1)
    assert r.attainment == approx(0.5)
    assert r.status == "on_track"  # 0.5 >= 0.9 f = 0.312


def test_current_window_is_the_twelve_months_ending_with_the_as_of_month(summary):
    # mid-month as-of: the whole of June 2019 counts; July 2019 does not
    r = summary(dt.date(2019, 6, 1))["by_id"]["adult_education_inflow"]
    assert r.current == approx(21)
    # one month later the window is 2018-08..2019-07: 10 (June) + 500 (July); 2018-07 has left it
    r = summary(dt.date(2019, 7, 31))["by_id"]["adult_education_inflow"]
    assert r.current == approx(510)


def test_relative_indicator_without_current_rows_has_no_value(summary):
    r = summary(dt.date(2021, 12, 31))["by_id"]["adult_education_inflow"]  # window 2021-01..2021-12 is empty
    assert (r.value, r.current, r.attainment) == (None, None, None)
    assert r.baseline == approx(20)
    assert r.status == "no_data"


def test_relative_indicator_without_baseline_rows(summary):
    r = summary(partners=("MIDDELBURG",))["by_id"]["parent_involvement"]
    assert r.status == "baseline_missing"
    assert r.current == approx(8 / 40)
    assert r.value is None
    assert r.attainment is None  # never 0


def test_count_indicator_without_rows_under_the_filter(summary):
    r = summary(partners=("LSF",))["by_id"]["learning_communities"]
    assert r.value is None  # no rows: no value (a partner with rows and 0 results shows 0: test_coverage.py)
    assert r.status == "no_data"
    assert r.attainment is None
    assert r.forecast is None


def test_relative_indicator_without_any_rows_is_no_data(summary):
    r = summary(countries=("UK",))["by_id"]["parent_involvement"]
    assert (r.value, r.attainment) == (None, None)
    assert r.status == "no_data"


def test_as_of_before_the_start_and_after_the_end(summary):
    early = summary(dt.date(2018, 1, 31))["by_id"]["learning_communities"]
    assert early.expected == 0.0
    assert early.value is None and early.status == "not_started"  # no rows yet, and the project has not started
    late = summary(dt.date(2022, 6, 30))["by_id"]
    assert late["learning_communities"].expected == 1.0
    assert late["learning_communities"].value == 4
    assert late["learning_communities"].forecast == 4  # at the end the forecast is the value
    assert late["support_networks"].status == "not_achieved"  # 2 of 4, and the project has ended
    assert summary(dt.date(2022, 6, 30))["summary"].as_of == END  # capped: results stop at the project end


def test_filters_restrict_the_values(summary):
    assert summary(countries=("BE",))["by_id"]["learning_communities"].value == 1  # MECHELEN C2
    assert summary(partners=("ADICE",))["by_id"]["teachers_trained"].value == 1
    assert summary(regions=("UKJ41",))["by_id"]["jobs_created"].value == 2
    fr = summary(countries=("FR",))["by_id"]["parent_involvement"]
    assert fr.value == approx((60 / 200) / (50 / 200) - 1)
    assert summary(partners=("ADICE",))["by_id"]["support_networks"].status == "achieved"  # 1 of ADICE's 1


def _partner_targets() -> tuple[dict[tuple[str, str], float], dict[str, str]]:
    ref = ROOT / "data" / "reference"
    with (ref / "partner_targets.csv").open(encoding="utf-8", newline="") as f:
        targets = {(r["partner_id"], r["indicator"]): float(r["target"]) for r in csv.DictReader(f)}
    with (ref / "partners.csv").open(encoding="utf-8", newline="") as f:
        countries = {r["partner_id"]: r["country"] for r in csv.DictReader(f)}
    return targets, countries


COUNTS = ("learning_communities", "teachers_trained", "new_entrepreneurs", "jobs_created", "support_networks")
RELATIVE = {"parent_involvement": 0.10, "children_in_school": 0.20, "adult_education_inflow": 0.10}


@pytest.mark.parametrize("country", ["BE", "FR", "NL", "UK"])
def test_country_target_is_the_sum_of_its_partners_shares(summary, country):
    targets, countries = _partner_targets()
    by_id = summary(countries=(country,))["by_id"]
    for ind in COUNTS:
        want = sum(t for (p, i), t in targets.items() if i == ind and countries[p] == country)
        assert by_id[ind].target == approx(want), ind
        assert by_id[ind].target_illustrative
    for ind, target in RELATIVE.items():
        assert by_id[ind].target == approx(target)  # relative targets apply unchanged


def test_partner_targets_and_programme_targets(summary):
    targets, _ = _partner_targets()
    by_id = summary(partners=("ADICE",))["by_id"]
    for ind in COUNTS:
        assert by_id[ind].target == approx(targets[("ADICE", ind)])
    programme = summary()["by_id"]
    assert {i: programme[i].target for i in COUNTS} == {"learning_communities": 40, "teachers_trained": 450,
                                                        "new_entrepreneurs": 50, "jobs_created": 40,
                                                        "support_networks": 4}
    assert not any(r.target_illustrative for r in programme.values())


def test_partner_shares_add_up_to_programme_targets():
    targets, _ = _partner_targets()
    for ind, total in {"learning_communities": 40, "teachers_trained": 450, "new_entrepreneurs": 50,
                       "jobs_created": 40, "support_networks": 4}.items():
        assert sum(t for (_, i), t in targets.items() if i == ind) == total


def test_region_filter_has_no_count_target(summary):
    by_id = summary(regions=("FRE11",))["by_id"]
    for ind in COUNTS:
        assert by_id[ind].target is None, ind
        assert by_id[ind].attainment is None
    assert by_id["learning_communities"].value == 1


# -- budget ---------------------------------------------------------------------------------------------------

def _budgets() -> dict[str, float]:
    with (ROOT / "data" / "reference" / "partners.csv").open(encoding="utf-8", newline="") as f:
        return {r["partner_id"]: float(r["budget_eur"]) for r in csv.DictReader(f)}


def test_budget_for_the_whole_programme(summary):
    b = summary()["budget"]
    assert b.total_eur == 4_880_802
    assert b.erdf_eur == 2_928_481
    assert b.spent_eur == approx(1000 + 250.50 - 100 + 2000 + 300.25)  # ADICE's 999 is paid after the as-of date
    assert b.by_partner == {"LSF": approx(1150.50), "ADICE": approx(2000), "UOG": approx(300.25)}
    assert b.by_category == {"staff": approx(900), "travel": approx(250.50), "equipment": approx(2000),
                             "office_admin": approx(300.25)}
    assert summary(dt.date(2019, 12, 31))["budget"].spent_eur == approx(3450.75 + 999)


def test_budget_under_a_partner_filter(summary):
    budgets = _budgets()
    b = summary(partners=("ADICE",))["budget"]
    assert b.spent_eur == approx(2000)
    assert b.total_eur == approx(budgets["ADICE"])
    assert b.erdf_eur == Decimal("323999.98")  # 2,928,481 x 540,000 / 4,880,802 = 323,999.9778..., to the cent


def test_budget_under_a_country_filter(summary):
    budgets = _budgets()
    b = summary(countries=("BE",))["budget"]
    be = budgets["VIVES"] + budgets["MECHELEN"] + budgets["ARHUS"] + budgets["LSF"]
    assert b.spent_eur == approx(1150.50)
    assert b.total_eur == approx(be)
    assert be == 1_960_802  # 520,000 + 560,000 + 450,000 + 430,802
    assert b.erdf_eur == Decimal("1176481.12")  # 2,928,481 x 1,960,802 / 4,880,802 = 1,176,481.1196..., to the cent


def test_budget_under_a_region_filter_counts_only_that_region(summary):
    assert summary(regions=("BE255",))["budget"].spent_eur == approx(1150.50)  # LSF's home region by default
    assert summary(regions=("UKJ41",))["budget"].spent_eur == approx(300.25)


def test_attainment_where_lower_is_better():
    # Target at most 30 (days to register, say): 1 + (30 - value) / 30.
    assert att.attainment(30, 30, "lower") == 1.0  # at the target: achieved
    assert att.attainment(15, 30, "lower") == 1.5  # half the target: 1 + 15 / 30
    assert att.attainment(0, 30, "lower") == 2.0  # nothing at all: finite, 1 + 30 / 30
    assert att.attainment(45, 30, "lower") == 0.5  # 15 over: 1 - 15 / 30
    assert att.attainment(60, 30, "lower") == 0.0  # twice the target
    assert att.attainment(10, 0, "lower") is None  # no target
    # A relative target of a lower-is-better measure is a fall: -5 % against -10 % is half way.
    assert att.attainment(-0.05, -0.10) == pytest.approx(0.5)
