"""The Budget, Data and Method pages (AppTest) and the package code behind them (history, detect,
charts.budget, ui.upload), on a tiny database of a few inline rows loaded through the real loader."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import ROOT, TODAY, csv_bytes, rows_from
from streamlit.testing.v1 import AppTest

from siree_metrics.accounts import User
from siree_metrics.charts import budget as budget_charts
from siree_metrics.charts.style import euros_short
from siree_metrics.ingest import store
from siree_metrics.ingest.contract import load_contract
from siree_metrics.ingest.detect import detect_dataset, file_headers, matches, problem_table
from siree_metrics.ingest.load import check_file, load_file
from siree_metrics.metrics import history
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import Budget
from siree_metrics.reference import load_reference
from ui import auth

EXPENDITURE = [
    {"partner_id": "ADICE", "line_id": "L1", "paid_on": "2018-04-15", "cost_category": "staff", "amount_eur": "1000"},
    {"partner_id": "ADICE", "line_id": "L2", "paid_on": "10/01/2019", "cost_category": "travel", "amount_eur": "500,50"},
    {"partner_id": "UOG", "line_id": "L1", "paid_on": "2018-05-02", "cost_category": "staff", "amount_eur": "2000"},
    {"partner_id": "UOG", "line_id": "L2", "paid_on": "2020-02-01", "cost_category": "equipment", "amount_eur": "300"},
    {"partner_id": "UOG", "line_id": "L3", "paid_on": "2020-03-01", "cost_category": "staff", "amount_eur": "-100"},
]
ATTENDANCE = [
    {"partner_id": "MECHELEN", "region": "BE212", "school_id": "S1", "month": m, "children_enrolled": "20",
     "children_attending": a}
    for m, a in (("2017-03", "10"), ("2017-04", "10"), ("2019-05", "12"), ("2019-06", "12"))
]
STARTUPS = [{"partner_id": "UOG", "region": "UKJ41", "entrepreneur_id": "E1", "registered_on": "2019-03-15",
             "sector": "catering", "jobs_created": "2"}]
AS_OF = dt.date(2019, 12, 31)


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A database of three small files, with SIREE_DB pointing at it (and uploads left to the test)."""
    folder = tmp_path_factory.mktemp("admin")
    db = folder / "tiny.duckdb"
    for dataset, records in (("expenditure", EXPENDITURE), ("school_attendance", ATTENDANCE),
                             ("startups", STARTUPS)):
        path = folder / f"{dataset}.csv"
        path.write_bytes(csv_bytes(rows_from(records)))
        result = load_file(db, dataset, path, loaded_by="test", today=TODAY)
        assert result.status == "loaded", result.report()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SIREE_DB", str(db))
        mp.delenv("SIREE_UPLOADS", raising=False)
        yield db


def query(db: Path, fn, *params):  # noqa: ANN001, ANN202
    with store.connect(db) as con:
        return fn(con, *params)


# -- history: budget ----------------------------------------------------------------------------------------

def test_budget_by_month_is_cumulative_with_the_pace_line(tiny_db: Path) -> None:
    months = query(tiny_db, history.budget_by_month, AS_OF, Filters())
    prog = load_reference().programme
    assert months["month"].iloc[0] == dt.date(2018, 3, 1)  # from the programme start, empty months included
    assert months["month"].iloc[-1] == dt.date(2019, 12, 1)
    assert len(months) == 22
    by_month = months.set_index("month")
    assert by_month.loc[dt.date(2018, 3, 1), "cumulative_eur"] == 0
    assert by_month.loc[dt.date(2019, 1, 1), "cumulative_eur"] == pytest.approx(3500.50)
    assert by_month.loc[dt.date(2019, 12, 1), "cumulative_eur"] == pytest.approx(3500.50)  # 2020 not yet paid
    last = months.iloc[-1]
    elapsed = (AS_OF - prog.start).days / (prog.end - prog.start).days
    assert last["elapsed"] == pytest.approx(elapsed)
    assert last["expected_eur"] == Decimal("2334145.14")  # 4,880,802 x 670 / 1401 days = 2,334,145.139..., exact
    later = query(tiny_db, history.budget_by_month, dt.date(2020, 3, 31), Filters())
    assert later["cumulative_eur"].iloc[-1] == pytest.approx(3700.50)  # a negative correction counts


def test_budget_by_month_under_filters(tiny_db: Path) -> None:
    france = query(tiny_db, history.budget_by_month, AS_OF, Filters(countries=("FR",)))
    assert france["cumulative_eur"].iloc[-1] == pytest.approx(1500.50)
    assert set(france["budget_eur"]) == {load_reference().partners["ADICE"].budget_eur}
    region = query(tiny_db, history.budget_by_month, AS_OF, Filters(regions=("FRE11",)))
    assert region["budget_eur"].isna().all() and region["expected_eur"].isna().all()  # a region has no budget
    assert query(tiny_db, history.budget_by_month, dt.date(2017, 12, 31), Filters()).empty


def test_budget_by_partner_lists_every_covered_partner(tiny_db: Path) -> None:
    ref = load_reference()
    everyone = query(tiny_db, history.budget_by_partner, AS_OF, Filters()).set_index("partner_id")
    assert list(everyone.index) == list(ref.partners)
    assert everyone.loc["ADICE", "spent_eur"] == pytest.approx(1500.50)
    assert everyone.loc["ADICE", "travel"] == pytest.approx(500.50)
    assert everyone.loc["ADICE", "share_spent"] == pytest.approx(1500.50 / ref.partners["ADICE"].budget_eur)
    assert everyone.loc["LSF", "spent_eur"] == 0 and everyone.loc["LSF", "n"] == 0
    assert everyone["budget_illustrative"].all()
    region = query(tiny_db, history.budget_by_partner, AS_OF, Filters(regions=("UKJ41",)))
    assert list(region["partner_id"]) == ["UOG"] and region["budget_eur"].isna().all()


def test_budget_by_category_lists_every_category(tiny_db: Path) -> None:
    cats = query(tiny_db, history.budget_by_category, AS_OF, Filters()).set_index("cost_category")
    assert list(cats.index) == list(load_contract()["expenditure"].columns["cost_category"].values)
    assert cats.loc["staff", "spent_eur"] == pytest.approx(3000)
    assert cats.loc["equipment", "spent_eur"] == 0
    assert cats["share"].sum() == pytest.approx(1)


def test_budget_of_follows_the_filter() -> None:
    ref = load_reference()
    assert history.budget_of(Filters(), ref) == (ref.programme.budget_eur, ref.programme.erdf_eur, False)
    total, erdf, illustrative = history.budget_of(Filters(partners=("UOG",)), ref)
    assert total == ref.partners["UOG"].budget_eur and illustrative
    assert erdf == Decimal("629999.96")  # 2,928,481 x 1,050,000 / 4,880,802 = 629,999.9569..., to the cent
    assert history.budget_of(Filters(regions=("UKJ41",)), ref) == (None, None, False)


def test_erdf_share_and_the_erdf_part_of_the_spending() -> None:
    ref = load_reference()
    # the programme: ERDF 2,928,481 of 4,880,802 = 0.59999996...
    assert history.erdf_share(ref.programme.budget_eur, ref.programme.erdf_eur) == pytest.approx(2_928_481 / 4_880_802)
    assert history.erdf_share(None, None) is None and history.erdf_share(Decimal("0.00"), Decimal("0.00")) is None
    # ADICE: budget 540,000.00, ERDF 2,928,481 x 540,000 / 4,880,802 = 323,999.9778... -> 323,999.98 (half up);
    # spent 1,500.50: ERDF part 1,500.50 x 323,999.98 / 540,000.00 = 900.29994... -> 900.30
    total, erdf, _ = history.budget_of(Filters(partners=("ADICE",)), ref)
    assert (total, erdf) == (Decimal("540000.00"), Decimal("323999.98"))
    adice = Budget(total_eur=total, erdf_eur=erdf, spent_eur=Decimal("1500.50"), share_spent=1500.50 / 540_000)
    assert history.erdf_spent(adice) == Decimal("900.30") and history.has_budget(adice)
    # a half cent rounds up, as budget_of splits the ERDF: 1.00 x 0.25 / 2.00 = 0.125 -> 0.13
    half = Budget(total_eur=Decimal("2.00"), erdf_eur=Decimal("0.25"), spent_eur=Decimal("1.00"), share_spent=0.5)
    assert history.erdf_spent(half) == Decimal("0.13")
    region = Budget(total_eur=None, erdf_eur=None, spent_eur=Decimal("300.00"), status="no_budget")
    assert history.erdf_spent(region) is None and not history.has_budget(region)


def test_paying_partners(tiny_db: Path) -> None:
    # ADICE and UOG have payments by 2019-12-31; the other 7 of the 9 partners none
    everyone = query(tiny_db, history.budget_by_partner, AS_OF, Filters())
    assert history.paying_partners(everyone) == (2, 9)
    france = query(tiny_db, history.budget_by_partner, AS_OF, Filters(countries=("FR",)))
    assert history.paying_partners(france) == (1, 1)  # ADICE, France's one partner


# -- history: loaded files and completeness -------------------------------------------------------------------

def test_loaded_files_newest_first(tiny_db: Path) -> None:
    files = query(tiny_db, history.loaded_files)
    assert list(files["dataset"]) == ["startups", "school_attendance", "expenditure"]
    assert set(files["loaded_by"]) == {"test"}
    assert files["rows"].tolist() == [1, 4, 5] and (files["replaced_rows"] == 0).all()


def test_completeness_grid(tiny_db: Path) -> None:
    cells = query(tiny_db, history.completeness, dt.date(2017, 3, 1), AS_OF, Filters())
    ref, contract = load_reference(), load_contract()
    assert len(cells) == len(ref.partners) * len(contract) * 12  # 2017 Q1 .. 2019 Q4
    status = cells.set_index(["partner_id", "dataset", "quarter"])["status"]
    assert status[("ADICE", "expenditure", "2018 Q2")] == "submitted"
    assert status[("ADICE", "expenditure", "2018 Q3")] == "missing"
    assert status[("ADICE", "school_attendance", "2018 Q2")] == "not_sent"
    assert status[("MECHELEN", "school_attendance", "2017 Q1")] == "submitted"
    belgium = query(tiny_db, history.completeness, dt.date(2017, 3, 1), AS_OF, Filters(countries=("BE",)))
    assert set(belgium["partner_id"]) == set(ref.partners_in(["BE"]))

    one = history.submission_grid(cells, "expenditure")
    assert len(one) == len(ref.partners) * 12 and one["mark"].isna().all()
    overview = history.submission_overview(cells).set_index(["partner_id", "dataset"])
    assert overview.loc[("ADICE", "expenditure"), "mark"] == "2/12"
    assert overview.loc[("ADICE", "expenditure"), "status"] == "missing"  # nothing in 2019 Q4
    assert overview.loc[("ADICE", "startups"), "status"] == "not_sent"


def test_submission_counts(tiny_db: Path) -> None:
    cells = query(tiny_db, history.completeness, dt.date(2017, 3, 1), AS_OF, Filters())
    # expenditure: ADICE and UOG send it (the 7 others: not sent); in 2019 Q4 neither paid anything
    grid = history.submission_grid(cells, "expenditure")
    assert history.submission_counts(grid, "2019 Q4") == (0, 2)
    assert history.submission_counts(grid, "2019 Q1") == (1, 2)  # ADICE's 10/01/2019
    assert history.submission_counts(grid) == (3, 24)  # ADICE 2018 Q2, 2019 Q1; UOG 2018 Q2; of 2 x 12 quarters
    # the overview: one cell per partner and dataset sent at all (MECHELEN attendance, ADICE and UOG
    # expenditure, UOG startups); latest quarter 2019 Q4: MECHELEN's last month is 2019-06, UOG's start-up
    # 2019-03, so none is submitted
    overview = history.submission_overview(cells)
    assert history.submission_counts(overview) == (0, 4)
    assert history.submission_counts(overview.iloc[0:0]) == (0, 0)


# -- detect ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dataset", list(load_contract()))
def test_every_template_is_detected(dataset: str, tmp_path: Path) -> None:
    path = tmp_path / "upload.csv"
    path.write_text(",".join(load_contract()[dataset].columns) + "\n", encoding="utf-8")
    assert detect_dataset(file_headers(path)) == dataset


def test_detect_uses_aliases_and_refuses_to_guess() -> None:
    dutch = ["Partner", "Regio", "School", "Maand", "Kinderen ingeschreven", "Kinderen aanwezig"]
    assert detect_dataset(dutch) == "school_attendance"
    assert detect_dataset(["partenaire", "région", "entrepreneur", "date_immatriculation", "secteur"]) == "startups"
    assert detect_dataset(["partner_id", "region", "month", "new_enrolments", "comment"]) == "adult_education"
    assert detect_dataset(["partner_id", "region", "month"]) is None  # three datasets fit equally
    assert detect_dataset(["partner_id", "region"]) is None  # nothing of any dataset's own
    assert detect_dataset(["name", "address"]) is None
    assert matches(["partner_id", "line_id", "paid_on", "cost_category", "amount_eur"])[0].dataset == "expenditure"


def test_file_headers_of_a_file_that_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4 not a table")
    assert file_headers(path) == []


def test_problem_table_keeps_the_command_line_wording(tmp_path: Path) -> None:
    path = tmp_path / "startups_bad.csv"
    path.write_bytes(csv_bytes(rows_from([
        dict(STARTUPS[0]),
        {**STARTUPS[0], "entrepreneur_id": "E2", "partner_id": "XXX", "jobs_created": "1.5"},
    ])))
    checked = check_file(path, "startups", today=TODAY)
    table = problem_table(checked)
    assert list(table["line"]) == checked.report()
    first = table.iloc[0]
    assert (first["row"], first["column"], first["value"]) == (3, "partner_id", "XXX")
    assert first["reason"].startswith("is not a SIREE partner id")
    assert first["line"].startswith("startups_bad.csv:3: partner_id: 'XXX' ")
    assert (table["column"] == "jobs_created").any()
    not_a_table = problem_table(check_file(tmp_path / "missing.csv", "startups", today=TODAY))
    assert len(not_a_table) == 1 and not_a_table["line"].iloc[0].startswith("missing.csv: ")


# -- charts ----------------------------------------------------------------------------------------------------

def test_charts_draw_and_say_when_empty(tiny_db: Path) -> None:
    prog = load_reference().programme
    months = query(tiny_db, history.budget_by_month, AS_OF, Filters())
    fig = budget_charts.pace_of_spend(months, "seriously_underspending", prog.baseline_start, AS_OF, prog.start,
                                      prog.end)
    assert [tr.name for tr in fig.data] == ["Budget", "Budget × time elapsed", "Spent (cumulative)"]
    assert "Seriously underspending" in fig.layout.annotations[0].text  # budget status in words, not only colour
    assert fig.data[2].customdata[-1][0] == "EUR 3,500.50"  # the hover shows the exact cents
    empty = budget_charts.pace_of_spend(months.iloc[0:0], None, prog.start, AS_OF, prog.start, prog.end)
    assert "No expenditure" in empty.layout.annotations[0].text
    partners = query(tiny_db, history.budget_by_partner, AS_OF, Filters())
    assert len(budget_charts.spend_by_partner(partners, 0.5).data[0].y) == 9
    cells = query(tiny_db, history.completeness, dt.date(2017, 3, 1), AS_OF, Filters())
    grid = budget_charts.submissions(history.submission_grid(cells, "expenditure"))
    legend = {tr.name for tr in grid.data[1:]}
    assert legend == {"✔ Submitted", "✖ Missing", "– Not sent"}
    assert euros_short(1_234_567) == "EUR 1.23 M" and euros_short(None) == "—"


# -- pages (AppTest) -------------------------------------------------------------------------------------------

def run(page: str, **params: str) -> AppTest:
    """Open ``pages/<page>`` as a deep link: the app's entrypoint is dashboard.py, as in the real server."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    return at.switch_page(f"pages/{page}").run()


def plotly_charts(at: AppTest) -> list:
    return at.get("plotly_chart")


def test_budget_page_takes_filters_from_the_url(tiny_db: Path) -> None:
    at = run("5_Budget.py", country="FR", as_of="2019-12-31")
    assert not at.exception
    assert at.sidebar.multiselect[0].value == ["FR"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Spent"] == "EUR 1,500"
    assert metrics["Budget *"] == "EUR 540 k"
    assert len(plotly_charts(at)) == 3
    assert any("1 of 1 partners have payments" in c.value for c in at.caption)
    assert any("Illustrative" in c.value for c in at.caption)


def test_budget_page_for_a_region_and_for_no_data(tiny_db: Path) -> None:
    at = run("5_Budget.py", region="FRE11", as_of="2019-12-31")
    assert not at.exception
    assert any("A region has no budget of its own" in i.value for i in at.info)
    early = run("5_Budget.py", as_of="2017-12-31")
    assert not early.exception
    assert not plotly_charts(early)
    assert any("No expenditure has been loaded" in i.value for i in early.info)


def test_data_page_for_a_viewer(tiny_db: Path) -> None:
    at = run("6_Data.py", partner="ADICE")
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Upload a file", "Loaded files", "Corrections and history", "Who sent what",
                                          "Blank templates"]
    assert any("Log in as a partner to upload" in i.value for i in at.info)  # no form (tests/test_roles.py)
    assert not at.get("file_uploader")
    assert len(at.dataframe) >= 1 and len(at.dataframe[0].value) == 3  # the loaded files
    assert len(plotly_charts(at)) == 1  # the completeness grid
    assert at.sidebar.multiselect[2].value == ["ADICE"]
    assert len([b for b in at.get("download_button")]) >= len(load_contract())


def test_the_loaded_files_read_in_the_readers_language(tiny_db: Path) -> None:
    """The batch log keeps each file's format in every language: a French reader reads French, whoever loaded it."""
    at = run("6_Data.py", lang="fr")
    assert not at.exception
    assert set(at.dataframe[0].value["file_format"]) == {"CSV, UTF-8, séparé par des virgules"}


def test_data_page_for_an_admin(tiny_db: Path) -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state[auth.USER] = (User("boss", "admin", None), dt.datetime.now())  # logged in
    at.switch_page("pages/6_Data.py").run()
    assert not at.exception
    assert any("you can upload rows of any partner" in c.value for c in at.caption)
    assert len(at.get("file_uploader")) == 1
    at.selectbox(key="data_grid_dataset").set_value("expenditure").run()
    assert not at.exception and len(plotly_charts(at)) == 1


def test_method_page_is_generated_from_the_catalogue(tiny_db: Path) -> None:
    at = run("7_Method.py")
    assert not at.exception
    ref = load_reference()
    assert [s.value for s in at.subheader] == [ind.label() for ind in ref.indicators]
    text = "\n".join(m.value for m in at.markdown)
    assert "**Formula:** —" not in text  # every indicator's formula came from the generated method
    assert "1 Mar 2017" in text  # the baseline start (programme.toml), as an English reader writes it
    assert "illustrative" in text.lower() and "unverified" in text.lower()
    assert "147,815" in text  # the context figure, from programme.toml
    assert len(at.dataframe[0].value) == len(ref.partners)


def test_pages_exist_in_classic_multipage_mode() -> None:
    assert {p.name for p in (ROOT / "pages").glob("[5-7]_*.py")} == {"5_Budget.py", "6_Data.py", "7_Method.py"}
    for name in ("5_Budget.py", "6_Data.py", "7_Method.py"):
        source = (ROOT / "pages" / name).read_text(encoding="utf-8")
        assert "st.navigation" not in source and "view = page(" in source
        assert "duckdb" not in source and "execute(" not in source  # no SQL in pages


def test_filters_survive_switching_pages(tiny_db: Path) -> None:
    """The sidebar's filters carry over from page to page (the country multiselect once did not)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["country"] = "BE,FR"
    at.query_params["as_of"] = "2019-12-31"
    at.run()
    for page in ("pages/5_Budget.py", "pages/6_Data.py", "pages/7_Method.py", "pages/5_Budget.py"):
        at.switch_page(page).run()
        assert not at.exception, page
        assert at.sidebar.multiselect[0].value == ["BE", "FR"], page
        assert at.query_params["country"] == "BE,FR", page
    at.sidebar.multiselect[0].unselect("FR").run()
    at.switch_page("pages/6_Data.py").run()
    assert at.sidebar.multiselect[0].value == ["BE"]
