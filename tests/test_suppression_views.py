"""Small-number suppression through the real views: cards, charts, tables, the Countries page, the command
line's --viewer JSON, and the subtraction attacks (total minus cells, country minus regions, t minus t-1).

Purpose-built data: teachers trained (completed) by
  MECHELEN (BE212): 12 teachers in March 2019;  ADICE (FRE11): 9 in March 2019;  VIVES (BE251): 3 in April 2019.
So the programme has 21 at the end of March and 24 at the end of April; Belgium 15 (12 + 3), France 9.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from siree_metrics import cli
from siree_metrics.accounts import User
from siree_metrics.downloads import frame_csv
from siree_metrics.ingest import store
from siree_metrics.ingest.load import load_file
from siree_metrics.metrics import series, suppress
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import summarize
from siree_metrics.reference import load_reference
from tests.helpers import ROOT, TODAY, csv_bytes, rows_from, valid
from ui import auth

P = suppress.Policy(5, 5)
MARCH, APRIL = dt.date(2019, 3, 31), dt.date(2019, 4, 30)


def _teachers(partner: str, region: str, ids: range, day: str) -> list[dict[str, object]]:
    return [valid("teacher_training", partner_id=partner, region=region, teacher_id=f"{partner}-{i}",
                  training_id="TR1", training_date=day) for i in ids]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("suppression")
    path = folder / "s.duckdb"
    rows = (_teachers("MECHELEN", "BE212", range(12), "2019-03-10") + _teachers("ADICE", "FRE11", range(9), "2019-03-12")
            + _teachers("VIVES", "BE251", range(3), "2019-04-15"))
    src = folder / "teacher_training.csv"
    src.write_bytes(csv_bytes(rows_from(rows)))
    assert load_file(path, "teacher_training", src, loaded_by="test", today=TODAY).status == "loaded"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SIREE_DB", str(path))
        yield path


def shown(db: Path, as_of: dt.date, filters: Filters) -> float | None:
    """Teachers trained as a viewer's summary has it (None: shown as <5)."""
    ref = load_reference()
    with store.connect(db) as con:
        s = suppress.summary(summarize(con, as_of, filters, ref), P, ref)
    return next(r.value for r in s.indicators if r.id == "teachers_trained")


def consistent(seen: float | None, true: int) -> bool:
    return suppress.count(true, P) == seen


def candidates(cells: list[float | None], total: float | None, hidden: int) -> set[int]:
    """Every value of cell ``hidden`` that fits all the shown cells and the shown total (cells 0..40)."""
    return {values[hidden] for values in itertools.product(range(41), repeat=len(cells))
            if all(consistent(s, v) for s, v in zip(cells, values, strict=True)) and consistent(total, sum(values))}


def test_programme_total_minus_the_visible_country_cells(db: Path) -> None:
    # Viewer sees Belgium 15 (exact 15), France 10 (9), programme 25 (24): 25 - 15 = 10, not France's 9;
    # the cells of the Countries page matrix come from the same per-country summaries.
    be, fr = shown(db, APRIL, Filters(("BE",))), shown(db, APRIL, Filters(("FR",)))
    total = shown(db, APRIL, Filters())
    assert (be, fr, total) == (15, 10, 25)
    assert candidates([be, fr], total, hidden=1) >= {8, 9, 10, 11, 12}  # 9 is one of many
    ref = load_reference()
    with store.connect(db) as con:
        rows = series.attainment_rows({c: suppress.summary(summarize(con, APRIL, Filters((c,)), ref), P, ref)
                                       for c in ("BE", "FR")})
    cells = rows[rows["indicator_id"] == "teachers_trained"].set_index("country")["value"]
    assert cells.to_dict() == {"BE": 15.0, "FR": 10.0}


def test_a_country_minus_its_regions_does_not_give_the_small_region_back(db: Path) -> None:
    # BE251 has 3 (shown <5), BE212 12 (shown 10), Belgium 15 (shown 15): 15 - 10 = 5, yet 1..4 all fit.
    small, big, country = (shown(db, APRIL, Filters(regions=(r,))) for r in ("BE251", "BE212")), None, None
    small, big = list(small)
    country = shown(db, APRIL, Filters(("BE",)))
    assert (small, big, country) == (None, 10, 15)
    assert candidates([big, small], country, hidden=1) == {1, 2, 3, 4}


def test_as_of_t_minus_as_of_t_minus_one_does_not_give_the_month_back(db: Path) -> None:
    # Programme: 21 at the end of March (shown 20), 24 at the end of April (shown 25): the step reads 5, not
    # April's 3; every step from 1 to 9 fits (March 18..22, April 23..27).
    march, april = shown(db, MARCH, Filters()), shown(db, APRIL, Filters())
    assert (march, april) == (20, 25)
    steps = {j - m for m in range(41) for j in range(41) if consistent(march, m) and consistent(april, j)}
    assert {1, 2, 3, 4} <= steps


def test_summary_viewer_json_carries_no_count_of_one_to_four(db: Path, capsys: pytest.CaptureFixture) -> None:
    people = {ind.id for ind in load_reference().indicators if ind.people}
    for extra in ([], ["--partner", "VIVES"], ["--region", "BE251"], ["--as-of", "2019-04-30"]):
        assert cli.main(["summary", "--db", str(db), "--viewer", "--format", "json", *extra]) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["suppression"] == {"threshold": 5, "base": 5}
        for r in out["indicators"]:
            if r["id"] in people and r["kind"] == "count":
                for key in ("value", "forecast", "n", "n_baseline"):
                    assert r[key] is None or not 1 <= r[key] <= 4, (extra, r["id"], key, r[key])
    assert cli.main(["summary", "--db", str(db), "--viewer", "--format", "json", "--partner", "VIVES", "--as-of", "2019-04-30"]) == 0
    teachers = next(r for r in json.loads(capsys.readouterr().out)["indicators"] if r["id"] == "teachers_trained")
    assert teachers["value"] is None and "value" in teachers["suppressed"] and teachers["attainment"] is None
    # without --viewer (the operator on the server): the exact 3
    assert cli.main(["summary", "--db", str(db), "--format", "json", "--partner", "VIVES", "--as-of", "2019-04-30"]) == 0
    assert next(r for r in json.loads(capsys.readouterr().out)["indicators"] if r["id"] == "teachers_trained")["value"] == 3


# -- the pages (AppTest) --------------------------------------------------------------------------------------


def run(page: str, user: User | None = None, opened: tuple[str, ...] = (), **params: str) -> AppTest:
    """``page`` run for ``user`` with the URL ``params``; the "Data behind this chart" expanders of the charts
    ``opened`` open (a closed one sends no table: ui/page.py)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
    for name in opened:
        at.session_state[f"data_{name}"] = True
    if user:
        at.session_state[auth.USER] = (user, dt.datetime.now())
    for k, v in params.items():
        at.query_params[k] = v
    at = at if page == "dashboard.py" else at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def teachers_card(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "Teachers trained" in m.value and "border-left" in m.value)


ADMIN = User("admin", "admin")
VIVES = User("vives", "partner", "VIVES")
OTHER = User("mechelen", "partner", "MECHELEN")


def test_overview_card_shows_less_than_five_to_a_viewer_and_three_to_the_admin_and_the_partner(db: Path) -> None:
    # VIVES alone: 3 teachers. The card writes its value in a 2.3rem div (html-escaped: "&lt;5").
    for user, expected in ((None, "&lt;5</div>"), (OTHER, "&lt;5</div>"), (ADMIN, ">3</div>"), (VIVES, ">3</div>")):
        card = teachers_card(run("dashboard.py", user, partner="VIVES", as_of="2019-04-30", to="2019-04-30"))
        assert expected in card, (user, card)
        if expected.startswith("&lt;"):
            assert ">3</div>" not in card and "n = 3" not in card


def test_education_chart_hover_table_and_csv_show_less_than_five_to_a_viewer(db: Path) -> None:
    at = run("pages/2_Education.py", None, ("teachers_trained",), region="BE251", as_of="2019-04-30", to="2019-04-30",
             show="teachers_trained")
    assert any("**<5**" in m.value for m in at.markdown)  # the headline above the chart
    spec = next(c.proto.spec for c in at.get("plotly_chart") if "Teachers" in c.proto.spec or "Total" in c.proto.spec)
    figure = json.loads(spec)
    trace = next(t for t in figure["data"] if t.get("stackgroup"))  # Belgium's running total
    assert {row[0] for row in trace["customdata"]} == {"0", "<5"}  # March 0, April <5: never 3
    total = next(t for t in figure["data"] if t.get("name") == "Total")
    assert [row[0] for row in total["customdata"]][-1] == "<5"
    assert "<b><5</b>" in json.dumps(figure["layout"]["annotations"])  # the label at the end of the line
    table = next(d.value for d in at.dataframe if "level_shown" in d.value)
    assert table["level_shown"].tolist()[-1] == "<5" and table["level"].isna().tolist()[-1]
    csv = frame_csv(table).decode("utf-8-sig")
    assert "<5" in csv and ",3.0," not in csv and ",3," not in csv


def test_education_chart_shows_three_to_the_admin(db: Path) -> None:
    at = run("pages/2_Education.py", ADMIN, ("teachers_trained",), region="BE251", as_of="2019-04-30", to="2019-04-30",
             show="teachers_trained")
    assert any("**3**" in m.value for m in at.markdown)
    assert not any("level_shown" in d.value for d in at.dataframe)


def test_countries_page_matrix_and_map_show_less_than_five_to_a_viewer(db: Path) -> None:
    at = run("pages/4_Countries_and_regions.py", None, ("activity_by_region",), as_of="2019-04-30", to="2019-04-30")
    regions = next(d.value for d in at.dataframe if "records" in d.value)
    be251 = regions.set_index("region").loc["BE251"]
    assert be251["teachers_trained_shown"] == "<5" and be251["records_shown"] == "<5" and bool(be251["active"])
    maps = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    hovers = json.dumps([t.get("hovertext") for f in maps for t in f["data"]])
    assert "Teachers trained: new in the period: <5" in hovers and "(BE251)" in hovers
    assert "Teachers trained: new in the period: 3<" not in hovers and "Teachers trained: new in the period: 3\"" not in hovers


def test_a_closed_data_expander_sends_no_table_and_an_open_one_its_table_and_downloads(db: Path) -> None:
    # ui/page.py: the table and the CSV/XLSX buttons of "Data behind this chart" are sent only while it is open
    closed = run("pages/2_Education.py", ADMIN, region="BE251", as_of="2019-04-30", to="2019-04-30",
             show="teachers_trained")
    chart_files = lambda at: [b.key for b in at.get("download_button") if b.key.startswith(("dl_", "dlx_"))]  # noqa: E731
    assert not closed.dataframe and not chart_files(closed)
    opened = run("pages/2_Education.py", ADMIN, ("teachers_trained",), region="BE251", as_of="2019-04-30",
                 to="2019-04-30", show="teachers_trained")
    assert len(opened.dataframe) == 1 and chart_files(opened) == ["dl_teachers_trained", "dlx_teachers_trained"]
    assert opened.dataframe[0].value["level"].tolist()[-1] == 3  # the admin sees the exact 3 (VIVES, April 2019)
