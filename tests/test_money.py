"""Money: euro amounts exact from the file to the output, the same whatever DuckDB's thread count, and the
budget status (its own words: under-spending is the risk, an overspend is flagged, never "achieved").

Every database here is built from a few inline rows loaded through the real loader, one file per partner so
that the expenditure table holds several row groups and DuckDB really scans it in parallel (with the old
queries this very database gave ``by_partner``/``by_category`` keys in a different order at 1, 2, 4 and 16
threads, and float sums such as 0.30000000000000004).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import ROOT, TODAY, csv_bytes, rows_from
from streamlit.testing.v1 import AppTest

from siree_metrics import cli
from siree_metrics.ingest import store
from siree_metrics.ingest.load import load_file
from siree_metrics.metrics import attainment as att
from siree_metrics.metrics import history
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import budget_of, summarize
from siree_metrics.reference import load_reference

D = Decimal
PARTNERS = ["UOG", "VIVES", "MEDWAYPLUS", "UCR", "MECHELEN", "ADICE", "MIDDELBURG", "ARHUS", "LSF"]  # partners.csv
AS_OF = dt.date(2019, 12, 31)  # 670 of the project's 1401 days (2018-03-01 .. 2021-12-31) elapsed


def _load(folder: Path, lines: dict[str, list[tuple[str, str, str]]]) -> Path:
    """One expenditure file per partner: {partner: [(paid_on, cost_category, amount_eur), ...]}."""
    db = folder / "money.duckdb"
    for partner, rows in lines.items():
        records = [{"partner_id": partner, "line_id": f"L{i}", "paid_on": day, "cost_category": cat,
                    "amount_eur": amount} for i, (day, cat, amount) in enumerate(rows)]
        path = folder / f"{partner}.csv"
        path.write_bytes(csv_bytes(rows_from(records)))
        result = load_file(db, "expenditure", path, loaded_by="test", today=TODAY)
        assert result.status == "loaded", result.report()
    return db


# Every partner pays 0.10 staff, 0.20 travel and 1000.05 office costs in June 2019: 1000.35 each, 9003.15 in all;
# staff 9 x 0.10 = 0.90, travel 9 x 0.20 = 1.80, office 9 x 1000.05 = 9000.45. As floats, 0.1 + 0.2 is
# 0.30000000000000004 and nine times 0.1 is 0.8999999999999999: exactly the artefacts that must not appear.
# A payment in 2020 is after the as-of date and not counted.
EVEN = {p: [("2019-06-15", "staff", "0.10"), ("2019-06-15", "travel", "0.20"), ("2019-06-15", "office_admin", "1000.05"),
            ("2020-01-15", "staff", "7.77")] for p in PARTNERS}


@pytest.fixture(scope="module")
def even_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _load(tmp_path_factory.mktemp("money"), EVEN)


def _summary_json(db: Path, threads: int, as_of: dt.date = AS_OF, filters: Filters | None = None) -> str:
    """What ``summary --format json`` prints (cli.json_text of Summary.to_json), at a given thread count."""
    with store.connect(db) as con:
        con.execute(f"SET threads = {int(threads)}")
        return cli.json_text(summarize(con, as_of, filters or Filters()).to_json())


# -- exact amounts -----------------------------------------------------------------------------------------------

def test_summary_budget_is_exact_decimals(even_db: Path) -> None:
    with store.connect(even_db) as con:
        b = summarize(con, AS_OF, Filters()).budget
    assert b.spent_eur == D("9003.15") and isinstance(b.spent_eur, Decimal)
    assert b.by_partner == {p: D("1000.35") for p in sorted(PARTNERS)}
    assert list(b.by_partner) == sorted(PARTNERS)  # sorted by key, not in hash order
    assert b.by_category == {"office_admin": D("9000.45"), "staff": D("0.90"), "travel": D("1.80")}
    assert list(b.by_category) == ["office_admin", "staff", "travel"]
    assert b.total_eur == D("4880802.00") and b.erdf_eur == D("2928481.00")
    # even pace: 4,880,802 x 670 / 1401 = 2,334,145.1391... -> 2,334,145.14
    assert b.planned_eur == D("2334145.14")


def test_json_writes_euro_amounts_as_two_decimal_numbers(even_db: Path) -> None:
    text = _summary_json(even_db, 1)
    budget = text[text.index('"budget": {'):]
    assert '"spent_eur": 9003.15,' in budget
    assert '"total_eur": 4880802.00,' in budget and '"erdf_eur": 2928481.00,' in budget
    assert '"planned_eur": 2334145.14,' in budget
    assert '"ADICE": 1000.35,' in budget and '"staff": 0.90,' in budget and '"travel": 1.80' in budget
    assert '"status": "seriously_underspending"' in budget  # 9,003.15 is far below 75 % of 2,334,145.14
    assert "0000000" not in budget and "9999999" not in budget  # no float artefact anywhere
    data = json.loads(text)["budget"]  # numbers, not strings
    assert data["spent_eur"] == 9003.15 and data["by_partner"]["ADICE"] == 1000.35


def test_json_text_on_its_own() -> None:
    data = {"a": D("509376.57"), "b": D("1000.5"), "c": D("4880802"), "d": [D("-100.00"), D("0.00")],
            "e": 0.5, "f": dt.date(2021, 12, 31), "g": None, "h": "509376.57"}
    text = cli.json_text(data)
    assert '"a": 509376.57,' in text and '"b": 1000.50,' in text and '"c": 4880802.00,' in text
    assert "-100.00," in text and "0.00\n" in text
    assert '"e": 0.5,' in text and '"f": "2021-12-31",' in text and '"g": null,' in text
    assert '"h": "509376.57"' in text  # a string stays a string
    assert json.loads(text)["a"] == 509376.57


def test_budget_of_is_exact() -> None:
    ref = load_reference()
    assert budget_of(Filters(), ref) == (D("4880802.00"), D("2928481.00"), False)
    # MIDDELBURG: 420,000; ERDF 2,928,481 x 420,000 / 4,880,802 = 251,999.98278... -> 251,999.98
    assert budget_of(Filters(partners=("MIDDELBURG",)), ref) == (D("420000.00"), D("251999.98"), True)
    # BE: VIVES 520,000 + MECHELEN 560,000 + ARHUS 450,000 + LSF 430,802 = 1,960,802
    assert budget_of(Filters(countries=("BE",)), ref)[0] == D("1960802.00")
    assert budget_of(Filters(regions=("UKJ41",)), ref) == (None, None, False)  # a region has no budget
    assert budget_of(Filters(countries=("FR",), partners=("UOG",)), ref) == (None, None, False)  # empty


def test_history_frames_are_exact(even_db: Path) -> None:
    with store.connect(even_db) as con:
        partners = history.budget_by_partner(con, AS_OF, Filters()).set_index("partner_id")
        categories = history.budget_by_category(con, AS_OF, Filters()).set_index("cost_category")
        months = history.budget_by_month(con, AS_OF, Filters())
    assert partners.loc["ADICE", "spent_eur"] == D("1000.35") and partners.loc["ADICE", "staff"] == D("0.10")
    assert partners.loc["ADICE", "budget_eur"] == D("540000.00")
    assert categories.loc["staff", "spent_eur"] == D("0.90") and categories.loc["equipment", "spent_eur"] == D("0.00")
    june = months.set_index("month").loc[dt.date(2019, 6, 1)]
    assert june["spent_eur"] == D("9003.15") and june["cumulative_eur"] == D("9003.15")
    assert months["cumulative_eur"].iloc[-1] == D("9003.15")
    assert months["expected_eur"].iloc[-1] == D("2334145.14")  # as in the summary


# -- the same every time -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("filters", [Filters(), Filters(countries=("BE",)), Filters(regions=("UKJ41",))])
def test_summary_json_is_byte_identical_at_any_thread_count(even_db: Path, filters: Filters) -> None:
    texts = {threads: _summary_json(even_db, threads, filters=filters) for threads in (1, 2, 4, 16)}
    assert len(set(texts.values())) == 1, "summary --format json differs between thread counts"


def test_budget_frames_are_identical_at_any_thread_count(even_db: Path) -> None:
    for fn in (history.budget_by_partner, history.budget_by_category, history.budget_by_month):
        seen = set()
        for threads in (1, 2, 4, 16):
            with store.connect(even_db) as con:
                con.execute(f"SET threads = {threads}")
                seen.add(fn(con, AS_OF, Filters()).to_csv(index=False))
        assert len(seen) == 1, fn.__name__


# -- budget status: the pure function -----------------------------------------------------------------------------

START, END = dt.date(2020, 1, 1), dt.date(2020, 1, 11)  # a 10-day project
MID = dt.date(2020, 1, 6)  # 5 of 10 days: even pace for a budget of 1000.00 is 500.00


@pytest.mark.parametrize(("spent", "budget", "as_of", "expected"), [
    # during: on plan from 0.9 x 500.00 = 450.00, underspending from 0.75 x 500.00 = 375.00
    ("450.00", "1000.00", MID, "on_plan"),  # exactly on the line: the better status
    ("449.99", "1000.00", MID, "underspending"),
    ("375.00", "1000.00", MID, "underspending"),
    ("374.99", "1000.00", MID, "seriously_underspending"),
    ("-10.00", "1000.00", MID, "seriously_underspending"),  # corrections exceeding payments
    ("900.00", "1000.00", MID, "on_plan"),  # ahead of the pace but within the budget
    ("1000.00", "1000.00", MID, "on_plan"),  # the whole budget: not an overspend
    ("1000.01", "1000.00", MID, "overspent"),
    # before or at the start nothing is due yet; an overspend is flagged even then
    ("0.00", "1000.00", START, "not_started"),
    ("0.00", "1000.00", dt.date(2019, 6, 30), "not_started"),
    ("1000.01", "1000.00", dt.date(2019, 6, 30), "overspent"),
    # on or after the end: fully spent from 0.95 x 1000.00 = 950.00, else underspent; over the budget: overspent
    ("950.00", "1000.00", END, "fully_spent"),
    ("949.99", "1000.00", END, "underspent_final"),
    ("1000.00", "1000.00", dt.date(2020, 6, 30), "fully_spent"),
    ("1000.01", "1000.00", END, "overspent"),
    ("0.00", "1000.00", dt.date(2020, 6, 30), "underspent_final"),
    # no budget: a region
    ("10.00", None, MID, "no_budget"),
    ("10.00", "0.00", MID, "no_budget"),
])
def test_budget_status(spent: str, budget: str | None, as_of: dt.date, expected: str) -> None:
    got = att.budget_status(D(spent), None if budget is None else D(budget), as_of, START, END,
                            on_plan=0.9, underspending=0.75, fully_spent=0.95)
    assert got == expected
    assert got in att.BUDGET_STATUSES


def test_budget_status_never_says_achieved() -> None:
    words = {att.budget_status(D(s), D("1000.00"), d, START, END) for s in ("0", "500", "1000", "2000")
             for d in (START, MID, END)}
    assert not words & set(att.STATUSES) - {"not_started", "empty_selection"}


@pytest.mark.parametrize(("budget", "as_of", "start", "end", "planned"), [
    ("1000.00", dt.date(2020, 1, 4), START, END, "300.00"),  # 3 / 10
    ("100.00", dt.date(2020, 1, 2), START, dt.date(2020, 1, 4), "33.33"),  # 100 / 3 = 33.333...
    ("100.01", dt.date(2020, 1, 3), START, dt.date(2020, 1, 4), "66.67"),  # 200.02 / 3 = 66.6733...
    ("0.01", dt.date(2020, 1, 2), START, dt.date(2020, 1, 3), "0.01"),  # 0.005: half up
    ("1000.00", dt.date(2019, 1, 1), START, END, "0.00"),  # before the start
    ("1000.00", dt.date(2021, 1, 1), START, END, "1000.00"),  # after the end: the whole budget
])
def test_planned_spend(budget: str, as_of: dt.date, start: dt.date, end: dt.date, planned: str) -> None:
    assert att.planned_spend(D(budget), as_of, start, end) == D(planned)


# -- budget status in the summary, the JSON and the table -------------------------------------------------------

# MIDDELBURG (budget 420,000.00) pays 420,000.01 in 2019: over its budget, flagged at any date; ADICE
# (540,000.00) pays 300,000.00 in 2019 and 250,000.00 in 2021. UOG pays nothing.
OVER = {"MIDDELBURG": [("2019-06-15", "staff", "420000.01")],
        "ADICE": [("2019-06-15", "staff", "300000.00"), ("2021-06-15", "staff", "250000.00")]}


@pytest.fixture(scope="module")
def over_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _load(tmp_path_factory.mktemp("over"), OVER)


def _budget(db: Path, as_of: dt.date, **filters: tuple[str, ...]) -> dict:
    return json.loads(_summary_json(db, 1, as_of, Filters(**filters)))["budget"]


def test_overspend_is_flagged_in_the_json_and_the_table(over_db: Path) -> None:
    b = _budget(over_db, AS_OF, partners=("MIDDELBURG",))
    assert (b["status"], b["spent_eur"], b["total_eur"]) == ("overspent", 420000.01, 420000.00)
    with store.connect(over_db) as con:
        table = cli.format_table(summarize(con, AS_OF, Filters(partners=("MIDDELBURG",))))
    line = next(x for x in table.splitlines() if x.startswith("Budget:"))
    assert "spent EUR 420,000.01 of EUR 420,000.00 *" in line and "Overspent" in line
    assert "Achieved" not in table.split("Budget:")[1]


def test_budget_status_during_and_after_the_project(over_db: Path) -> None:
    # ADICE at 2019-12-31: even pace 540,000 x 670 / 1401 = 258,244.11; 300,000.00 >= 0.9 x that: on plan
    during = _budget(over_db, AS_OF, partners=("ADICE",))
    assert (during["status"], during["planned_eur"]) == ("on_plan", 258244.11)
    # ADICE at the project end: 550,000.00 of 540,000.00 -> overspent (never "fully spent")
    assert _budget(over_db, dt.date(2021, 12, 31), partners=("ADICE",))["status"] == "overspent"
    # ADICE at 2020-12-31: 300,000.00; pace 540,000 x 1036 / 1401 = 399,314.78; 0.75 x that = 299,486.08
    # <= 300,000.00 < 0.9 x that = 359,383.30 -> underspending
    assert _budget(over_db, dt.date(2020, 12, 31), partners=("ADICE",))["status"] == "underspending"
    # UOG at and after the end: 0.00 of 1,050,000.00 -> underspent at the end (the rest is lost)
    for day in (dt.date(2021, 12, 31), dt.date(2022, 6, 30)):
        uog = _budget(over_db, day, partners=("UOG",))
        assert uog["status"] == "underspent_final"
        assert uog["spent_eur"] == 0 and uog["total_eur"] == 1050000.00
    # FR at the end: ADICE alone (its country), 550,000.00 of 540,000.00
    assert _budget(over_db, dt.date(2021, 12, 31), countries=("FR",))["status"] == "overspent"


def test_empty_selection_and_region_never_show_zero_of_zero(over_db: Path) -> None:
    empty = _budget(over_db, AS_OF, countries=("FR",), partners=("UOG",))
    assert empty["status"] == "empty_selection"
    assert empty["total_eur"] is None and empty["erdf_eur"] is None and empty["planned_eur"] is None
    region = _budget(over_db, AS_OF, regions=("NL342",))  # MIDDELBURG's home region: its payment is there
    assert (region["status"], region["total_eur"], region["spent_eur"]) == ("no_budget", None, 420000.01)
    with store.connect(over_db) as con:
        tables = [cli.format_table(summarize(con, AS_OF, f)) for f in
                  (Filters(countries=("FR",), partners=("UOG",)), Filters(regions=("NL342",)))]
    assert "Empty selection" in tables[0] and "no budget and no spending" in tables[0]
    assert "spent EUR 420,000.01 in this selection" in tables[1] and "No budget of its own" in tables[1]
    for table in tables:
        assert "EUR 0.00 of EUR 0" not in table and "of EUR —" not in table


# -- the pages ---------------------------------------------------------------------------------------------------

def _page(db: Path, page: str | None, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    monkeypatch.setenv("SIREE_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    return (at.switch_page(f"pages/{page}") if page else at).run()


def test_budget_page_and_overview_show_the_budget_status(over_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(over_db, "5_Budget.py", monkeypatch, partner="MIDDELBURG", as_of="2019-12-31")
    assert not at.exception
    share = next(m for m in at.metric if m.label == "Share of budget spent")
    assert share.value == "100%" and share.delta == "⚠ Overspent"  # 420,000.01 / 420,000.00, flagged
    overview = _page(over_db, None, monkeypatch, partner="MIDDELBURG", as_of="2019-12-31")
    assert not overview.exception
    assert any("⚠ Overspent" in m.value for m in overview.markdown)

