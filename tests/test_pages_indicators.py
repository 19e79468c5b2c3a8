"""The Education, Entrepreneurship and Countries pages (AppTest) and the package code behind them (series,
charts), on a tiny database of a few inline rows loaded through the real loader."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from helpers import ROOT, TODAY, csv_bytes, rows_from
from streamlit.testing.v1 import AppTest

from siree_metrics.charts import indicators as charts
from siree_metrics.charts.style import STATUS_WORDS
from siree_metrics.ingest import store
from siree_metrics.ingest.load import load_file
from siree_metrics.metrics import series
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import summarize
from siree_metrics.reference import REFERENCE_DIR, load_reference
from ui.topic import on_page

START, END = dt.date(2017, 3, 1), dt.date(2021, 12, 31)
BASELINE = [f"2017-{m:02d}" for m in range(3, 13)] + ["2018-01", "2018-02"]
CURRENT = [f"2021-{m:02d}" for m in range(1, 13)]


def _attendance() -> list[dict[str, str]]:
    rows = []
    for months, fr, uk in ((BASELINE, "10", "20"), (CURRENT, "12", "25")):
        for m in months:
            rows.append({"partner_id": "ADICE", "region": "FRE11", "school_id": "S1", "month": m,
                         "children_enrolled": "30", "children_attending": fr})
            rows.append({"partner_id": "UOG", "region": "UKJ41", "school_id": "S1", "month": m,
                         "children_enrolled": "30", "children_attending": uk, "sessions_possible": "40",
                         "sessions_attended": "30"})
    return rows


# 24 months of one enrolment each from 2017-03, except 2018-07, which is not reported (a gap, counted as 0)
ADULT = [{"partner_id": "ADICE", "region": "FRE11", "provider_id": "P1", "month": f"{y}-{m:02d}", "new_enrolments": "1"}
         for y, m in [(2017 + (i + 2) // 12, (i + 2) % 12 + 1) for i in range(24)] if (y, m) != (2018, 7)]
DATA = {
    "school_attendance": _attendance(),
    "adult_education": ADULT,
    "parent_involvement": [
        {"partner_id": "ADICE", "region": "FRE11", "community_id": "C1", "month": "2017-03", "parents_total": "20",
         "parents_engaged": "10"},
        {"partner_id": "ADICE", "region": "FRE11", "community_id": "C1", "month": "2021-12", "parents_total": "20",
         "parents_engaged": "15"},
    ],
    "teacher_training": [
        {"partner_id": "ADICE", "region": "FRE11", "teacher_id": "T1", "training_id": "A",
         "training_date": "2018-05-10", "hours": "7", "completed": "yes"},
        {"partner_id": "ADICE", "region": "FRE11", "teacher_id": "T1", "training_id": "B",
         "training_date": "2019-01-10", "hours": "7", "completed": "yes"},
        {"partner_id": "ADICE", "region": "FRE11", "teacher_id": "T2", "training_id": "A",
         "training_date": "2018-06-01", "hours": "7", "completed": "no"},
        {"partner_id": "ADICE", "region": "FRE12", "teacher_id": "T3", "training_id": "C",
         "training_date": "2019-02-01", "hours": "3,5", "completed": "oui"},
        {"partner_id": "UOG", "region": "UKJ41", "teacher_id": "T1", "training_id": "X",
         "training_date": "2020-01-15", "hours": "6", "completed": "y"},
    ],
    "learning_communities": [
        {"community_id": "C1", "partner_id": "ADICE", "region": "FRE11", "established_on": "2018-04-01",
         "setting": "primary"},
        {"community_id": "C1", "partner_id": "UOG", "region": "UKJ41", "established_on": "2019-05-05",
         "setting": "adult"},
    ],
    "startups": [
        {"partner_id": "ADICE", "region": "FRE11", "entrepreneur_id": "E1", "registered_on": "2019-03-01",
         "sector": "catering", "jobs_created": "2"},
        {"partner_id": "UOG", "region": "UKJ41", "entrepreneur_id": "E1", "registered_on": "2019-04-01",
         "sector": "catering", "jobs_created": "1"},
        {"partner_id": "UOG", "region": "UKJ41", "entrepreneur_id": "E2", "registered_on": "2020-02-02",
         "sector": "retail", "jobs_created": "0"},
    ],
    "networks": [{"network_id": "N1", "partner_id": "UOG", "region": "UKJ41", "launched_on": "2019-01-01",
                  "members": "8"}],
}


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A database of the rows above (France and England only), with SIREE_DB pointing at it."""
    folder = tmp_path_factory.mktemp("indicators")
    db = folder / "small.duckdb"
    for dataset, records in DATA.items():
        path = folder / f"{dataset}.csv"
        path.write_bytes(csv_bytes(rows_from(records)))
        result = load_file(db, dataset, path, loaded_by="test", today=TODAY)
        assert result.status == "loaded", result.report()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SIREE_DB", str(db))
        yield db


def query(db: Path, fn, *params):  # noqa: ANN001, ANN202
    with store.connect(db) as con:
        return fn(con, *params)


def by(df: pd.DataFrame, **where: object) -> pd.DataFrame:
    mask = pd.Series(True, index=df.index)
    for k, v in where.items():
        mask &= df[k] == v
    return df[mask]


# -- series: relative indicators by month ---------------------------------------------------------------------

def test_monthly_sums_each_month_with_the_baseline_and_target_of_the_catalogue(small_db: Path) -> None:
    df = query(small_db, series.monthly, "children_in_school", Filters(), START, END, END)
    assert set(df["country"]) == {"FR", "UK"}
    fr = by(df, country="FR")
    assert len(fr) == 24  # only months with rows: no false zeros in between
    assert fr["level"].tolist() == [10.0] * 12 + [12.0] * 12
    assert fr["n"].eq(1).all()
    assert fr["baseline"].iloc[0] == 10 and fr["target"].iloc[0] == pytest.approx(12.0)  # +20 %
    assert fr["n_baseline"].iloc[0] == 12
    # the baseline per country is the summary's baseline under that country's filter
    with store.connect(small_db) as con:
        s = summarize(con, END, Filters(("UK",)))
    uk = next(r for r in s.indicators if r.id == "children_in_school")
    assert by(df, country="UK")["baseline"].iloc[0] == pytest.approx(uk.baseline)


def test_monthly_honours_period_as_of_and_filters(small_db: Path) -> None:
    df = query(small_db, series.monthly, "children_in_school", Filters(("FR",)), dt.date(2021, 6, 15), END,
               dt.date(2021, 9, 30))
    assert set(df["country"]) == {"FR"}
    assert df["month"].min() == pd.Timestamp("2021-06-01")  # a month counts from its first day
    assert df["month"].max() == pd.Timestamp("2021-09-01")  # nothing after as-of
    assert df["baseline"].eq(10).all()  # the baseline is not cut by the period
    nothing = query(small_db, series.monthly, "children_in_school", Filters(regions=("BE212",)), START, END, END)
    assert nothing.empty and "baseline" in nothing.columns


def test_monthly_ratio_shows_numerator_and_denominator(small_db: Path) -> None:
    df = query(small_db, series.monthly, "parent_involvement", Filters(), START, END, END)
    assert df["level"].tolist() == [0.5, 0.75]
    assert df["numerator"].tolist() == [10, 15] and df["denominator"].tolist() == [20, 20]
    assert df["baseline"].iloc[0] == 0.5 and df["target"].iloc[0] == pytest.approx(0.55)


def test_monthly_window_sum_is_a_rolling_12_month_sum_with_gaps_as_zero(small_db: Path) -> None:
    df = query(small_db, series.monthly, "adult_education_inflow", Filters(), START, END, END).set_index("month")
    assert df.index.min() == pd.Timestamp("2018-02-01")  # the first month with 12 months of reports behind it
    assert df.loc["2018-02-01", "level"] == 12
    assert df.loc["2018-07-01", "level"] == 11  # July 2018 not reported: 0, not skipped
    assert df.loc["2019-02-01", "level"] == 11
    assert df.index.max() == pd.Timestamp("2019-02-01")  # no extension after the last report
    assert df["baseline"].iloc[0] == 12 and df["target"].iloc[0] == pytest.approx(13.2)


def test_monthly_rate_only_where_sessions_are_sent(small_db: Path) -> None:
    df = query(small_db, series.monthly_rate, "school_attendance", "sessions_attended", "sessions_possible",
               Filters(), START, END, END)
    assert set(df["country"]) == {"UK"}
    assert df["level"].eq(0.75).all()
    assert query(small_db, series.monthly_rate, "school_attendance", "sessions_attended", "sessions_possible",
                 Filters(("FR",)), START, END, END).empty
    with pytest.raises(ValueError):
        query(small_db, series.monthly_rate, "school_attendance", "school_id", "sessions_possible", Filters(),
              START, END, END)


# -- series: counts ---------------------------------------------------------------------------------------------

def test_cumulative_counts_distinct_completed_teachers_per_partner(small_db: Path) -> None:
    df = query(small_db, series.cumulative, "teachers_trained", Filters(), START, END, END)
    last = df[df["month"] == df["month"].max()].set_index("country")
    assert last.loc["FR", "level"] == 2  # T1 twice counts once; T2 did not complete
    assert last.loc["UK", "level"] == 1  # UOG's T1 is another teacher than ADICE's T1
    assert df.groupby("country")["month"].count().eq(58).all()  # every month, 2017-03 to 2021-12
    with store.connect(small_db) as con:
        value = next(r for r in summarize(con, END).indicators if r.id == "teachers_trained").value
    assert last["level"].sum() == value
    early = query(small_db, series.cumulative, "teachers_trained", Filters(), START, END, dt.date(2018, 12, 31))
    assert early["month"].max() == pd.Timestamp("2018-12-01")
    assert early.groupby("country")["level"].max().to_dict() == {"FR": 1}


def test_cumulative_starts_with_what_came_before_the_period(small_db: Path) -> None:
    df = query(small_db, series.cumulative, "new_entrepreneurs", Filters(), dt.date(2020, 1, 1), END, END)
    first = df[df["month"] == pd.Timestamp("2020-01-01")].set_index("country")
    assert first.loc["FR", "level"] == 1 and first.loc["UK", "level"] == 1
    jobs = query(small_db, series.cumulative, "jobs_created", Filters(), START, END, END)
    assert jobs.groupby("country")["level"].max().to_dict() == {"FR": 2, "UK": 1}
    settings = query(small_db, series.cumulative, "learning_communities", Filters(), START, END, END, "setting")
    assert set(settings["setting"]) == {"primary", "adult"}
    with pytest.raises(ValueError):
        query(small_db, series.cumulative, "learning_communities", Filters(), START, END, END, "community_id")


def test_breakdown_by_sector_and_country(small_db: Path) -> None:
    df = query(small_db, series.breakdown, "new_entrepreneurs", "sector", Filters(), START, END, END)
    assert sorted(map(tuple, df[["sector", "country", "level"]].to_numpy().tolist())) == [
        ("catering", "FR", 1), ("catering", "UK", 1), ("retail", "UK", 1)]
    later = query(small_db, series.breakdown, "new_entrepreneurs", "sector", Filters(), dt.date(2020, 1, 1), END, END)
    assert later["sector"].tolist() == ["retail"]  # new in the period only


def test_region_activity_lists_every_region_with_a_position(small_db: Path) -> None:
    df = query(small_db, series.region_activity, Filters(), START, END, END)
    assert len(df) == len(load_reference().regions)
    assert df[["lat", "lon", "x", "y"]].notna().all().all()
    rows = df.set_index("region")
    assert rows.loc["FRE12", "records"] == 1 and rows.loc["FRE12", "teachers_trained"] == 1
    assert rows.loc["UKJ41", "new_entrepreneurs"] == 2
    assert rows.loc["BE212", "records"] == 0 and pd.isna(rows.loc["BE212", "teachers_trained"])
    only_fr = query(small_db, series.region_activity, Filters(("FR",)), START, END, END).set_index("region")
    assert only_fr.loc["UKJ41", "records"] == 0 and only_fr.loc["FRE11", "records"] > 0


def test_region_centroids_cover_exactly_the_regions_and_lie_in_the_area() -> None:
    with (REFERENCE_DIR / "region_centroids.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["code"] for r in rows] == list(load_reference().regions)
    assert all(49 < float(r["lat"]) < 53.5 and -6 < float(r["lon"]) < 5.5 for r in rows)
    assert (REFERENCE_DIR / "region_centroids.md").read_text(encoding="utf-8").count("approximate") >= 1


def test_country_filters_narrow_a_selection_to_one_country() -> None:
    f = Filters(regions=("FRE11", "UKJ41"), partners=("ADICE",))
    assert series.country_filters(f, "FR") == Filters(("FR",), ("FRE11",), ("ADICE",))
    assert series.country_filters(f, "UK") is None  # no chosen partner there
    assert series.country_filters(Filters(("BE",)), "NL") is None
    assert series.country_filters(Filters(), "NL") == Filters(("NL",))


# -- charts -----------------------------------------------------------------------------------------------------

def names(fig: go.Figure) -> list[str]:
    return [t.name for t in fig.data if t.name]


def test_monthly_chart_has_a_panel_per_country_with_baseline_and_target(small_db: Path) -> None:
    df = query(small_db, series.monthly, "children_in_school", Filters(), START, END, END)
    fig = charts.monthly_vs_baseline(df, START, END, 0.2, (START, dt.date(2018, 2, 28)), notes={"FR": "+20%"})
    assert "Baseline" in names(fig) and "Target: baseline +20%" in names(fig)
    titles = [a.text for a in fig.layout.annotations]
    assert "<b>France</b><br>+20%" in titles and "<b>England (UK)</b>" in titles  # country, then its note
    assert any("n = " in (t.hovertemplate or "") for t in fig.data)
    assert fig.layout.shapes  # the baseline year is shaded


def test_cumulative_chart_draws_target_pace_and_status_words(small_db: Path) -> None:
    df = query(small_db, series.cumulative, "teachers_trained", Filters(), START, END, END)
    fig = charts.cumulative_vs_target(df, START, END, 450, (dt.date(2018, 3, 1), END), "behind")
    assert {"Target 450", "Expected pace", "Total", "France", "England (UK)"} <= set(names(fig))
    assert any(STATUS_WORDS["behind"] in a.text for a in fig.layout.annotations)
    no_target = charts.cumulative_vs_target(df, START, END, None, (dt.date(2018, 3, 1), END))
    assert "Expected pace" not in names(no_target)
    assert any("no target" in a.text for a in no_target.layout.annotations)


def test_attainment_vs_pace_handles_missing_and_negative_attainment() -> None:
    df = pd.DataFrame({"label": ["A", "B", "C"], "attainment": [1.2, None, -0.5], "expected": [0.5] * 3,
                       "status": ["achieved", "no_data", "behind"], "n": [10, 0, 3]})
    fig = charts.attainment_vs_pace(df)
    bars = fig.data[0]
    assert list(bars.x) == [120, 0, -50]
    words = [a.text for a in fig.layout.annotations if a.xanchor == "left" and a.xshift]
    assert STATUS_WORDS["no_data"] in words[1] and "120%" in words[0] and "—" in words[1]
    assert fig.layout.xaxis.range[0] < -50
    assert "Target (100%)" in names(fig) and "Expected by now" in names(fig)  # English writes 100%
    assert charts.attainment_vs_pace(df.iloc[0:0]).layout.annotations  # an empty frame says so


def _plain(text: str) -> list[str]:
    """An annotation's lines as shown: ``<br>`` breaks, tags left out."""
    return [line.replace("<b>", "").replace("</b>", "") for line in text.split("<br>")]


def test_small_multiple_titles_fit_a_phone_panel() -> None:
    # French notes as the Education page writes them: "+27,1 % · ✔ Atteint" is 19 characters (fits a line of
    # 20), "+19,5 % · ✖ Non atteint" 23: so every note goes on two lines, figure then status, in every panel
    titles = charts.panel_titles(
        {"BE": "Belgique (Flandre)", "UK": "Angleterre (R.-U.)", "NL": "Pays-Bas"},
        {"BE": "+27,1 % · ✔ Atteint", "UK": "+19,5 % · ✖ Non atteint"})
    assert titles == {"BE": "<b>Belgique (Flandre)</b><br>+27,1 %<br>✔ Atteint",
                      "UK": "<b>Angleterre (R.-U.)</b><br>+19,5 %<br>✖ Non atteint",
                      "NL": "<b>Pays-Bas</b>"}  # no note: the name only
    # short notes stay on one line under the name; a long name breaks at a space
    assert charts.panel_titles({"BE": "Belgium (Flanders)"}, {"BE": "+27.1% · ✔ Achieved"}) == {
        "BE": "<b>Belgium (Flanders)</b><br>+27.1% · ✔ Achieved"}
    assert charts.panel_titles({"X": "A very long country name here"}, {}) == {
        "X": "<b>A very long country</b><br><b>name here</b>"}


def test_monthly_panels_leave_room_for_their_titles() -> None:
    # four countries in two rows with three-line titles (23-character notes split): 14 px type, no line over 20
    # characters (a panel is about 135 px wide on a 390 px phone), and between the two rows at least the three
    # lines' height (3 x 18 px) plus the 4 px the title sits above its panel
    months = [dt.date(2019, m, 1) for m in (1, 2)]
    df = pd.DataFrame([{"month": m, "country": c, "level": 100.0, "n": 3, "baseline": 90.0, "target": 108.0,
                        "n_baseline": 12} for c in ("BE", "FR", "NL", "UK") for m in months])
    notes = {c: "+19,5 % · ✖ Non atteint" for c in ("BE", "FR", "NL", "UK")}
    fig = charts.monthly_vs_baseline(df, START, END, 0.2, (START, dt.date(2018, 2, 28)), notes=notes)
    titles = [a for a in fig.layout.annotations if a.yref == "paper"]
    assert len(titles) == 4
    assert all(a.font.size == 14 for a in titles)
    assert max(len(line) for a in titles for line in _plain(a.text)) <= 20
    lay = fig.layout
    plot_px = lay.height - lay.margin.t - lay.margin.b
    row1_bottom, row2_top = lay.yaxis.domain[0], lay.yaxis3.domain[1]
    assert (row1_bottom - row2_top) * plot_px >= 3 * 18 + 4
    assert lay.margin.t >= 3 * 18 + 4 + 50  # the first row's titles under the legend (two rows of it on a phone)
    # the two columns' titles centred on their panels, which leave a gap between them for the right one's ticks
    assert lay.xaxis2.domain[0] - lay.xaxis.domain[1] >= 0.1 - 1e-9


def test_attainment_vs_pace_names_read_clear_of_bars_and_lines() -> None:
    df = pd.DataFrame({"label": [f"Indicator {i}" for i in range(8)], "attainment": [1.1, 0.4] * 4,
                       "expected": [1.0] * 8, "status": ["achieved", "not_achieved"] * 4})
    fig = charts.attainment_vs_pace(df)
    lay = fig.layout
    names_ = [a for a in lay.annotations if a.text in set(df["label"])]
    assert len(names_) == 8
    # on white, so the dotted target line and the pace ticks do not cross the words
    assert all(a.bgcolor == "white" for a in names_)
    # a row's height in px; its bar is (1 - bargap) of it, centred on the row; the name's box (a 15 px line,
    # about 18 px high, plus its 1 px pad) sits yshift px above the row's centre: clear of its bar below by
    # 2 px or more, and of the bar of the row above
    row = (lay.height - lay.margin.t - lay.margin.b) / 8
    bar = (1 - lay.bargap) * row
    box = 18 / 2 + names_[0].borderpad
    assert all(a.yshift - box >= bar / 2 + 2 for a in names_)
    assert all(a.yshift + box <= row - bar / 2 for a in names_)
    # the pace tick (26 px high, centred on the row) stays inside the bar's height band, under the name
    assert fig.data[1].marker.size / 2 <= names_[0].yshift - box
    assert lay.legend.itemsizing == "constant"  # in the legend, its symbol no taller than the legend's row
    # ticks in the reader's convention: "100%" in English and Dutch, "100 %" (no-break space) in French
    assert lay.xaxis.ticksuffix == "%"
    assert charts.attainment_vs_pace(df, locale="fr").layout.xaxis.ticksuffix == "\u00a0%"
    assert charts.attainment_vs_pace(df, locale="nl").layout.xaxis.ticksuffix == "%"


def test_attainment_by_country_writes_status_in_every_cell(small_db: Path) -> None:
    with store.connect(small_db) as con:
        rows = series.attainment_rows({c: summarize(con, END, Filters((c,))) for c in ("FR", "UK")})
    fig = charts.attainment_by_country(rows)
    cells = [a for a in fig.layout.annotations if a.xref in (None, "x")]
    assert len(cells) == 2 * len(load_reference().indicators)
    symbols = {w.split(" ", 1)[0] for w in STATUS_WORDS.values()}
    # every cell: a status symbol and a bold figure, short enough for a quarter of a 390 px phone
    assert all(a.text.split(" ", 1)[0] in symbols and "<b>" in a.text for a in cells)
    assert max(len(a.text.replace("<b>", "").replace("</b>", "")) for a in cells) <= 10
    # each indicator's name on its own line above its row; the statuses' words in the legend and the hovers
    names = [a.text for a in fig.layout.annotations if a.xref == "paper" and a.yref in (None, "y")]
    assert names == [f"<b>{i}</b>" for i in dict.fromkeys(rows["indicator"])]
    legend = next(a.text for a in fig.layout.annotations if a.yref == "paper")
    assert all(STATUS_WORDS[s] in legend for s in set(rows["status"]))
    hovers = [h for r in fig.data[0].customdata for h in r if h]
    assert len(hovers) == len(cells)
    assert {w for h in hovers for w in STATUS_WORDS.values() if w in h} == {STATUS_WORDS[s] for s in rows["status"]}


def test_attainment_by_country_cells_fit_a_phone() -> None:
    # three hand-made cells: a count at 122.47 % of target (-> "122%", achieved); a relative indicator that moved
    # away from its target (attainment -330 %: the cell shows its change, -38.4 %); a region's count with no
    # target of its own (925 records: its value, and "no target" in the hover)
    df = pd.DataFrame({
        "indicator": ["Teachers trained", "Children in school", "Support networks"], "country": ["FR", "NL", "BE"],
        "value": [49.0, -0.384, 925.0], "target": [40.0, 0.1, None], "attainment": [1.2247, -3.3, None],
        "expected": [0.8, 0.8, 0.8], "status": ["achieved", "behind", "no_target"], "n": [49, 300, 925],
        "kind": ["count", "relative", "count"]})
    fig = charts.attainment_by_country(df)
    cells = {a.text for a in fig.layout.annotations if a.xref in (None, "x")}
    assert cells == {"✔ <b>122%</b>", "✖ <b>-38.4%</b>", "○ <b>925</b>"}
    legend = next(a.text for a in fig.layout.annotations if a.yref == "paper")
    # the legend: the three statuses shown, in STATUS_WORDS' order, lines of at most 40 characters
    assert legend == "✔ Achieved   ✖ Behind<br>○ No target for a region"
    hovers = [h for r in fig.data[0].customdata for h in r if h]
    assert any("Value: 925 · no target" in h for h in hovers)
    assert any("Attainment: -330% (change -38.4%)" in h for h in hovers)


def test_region_map_greys_out_regions_without_activity(small_db: Path) -> None:
    df = query(small_db, series.region_activity, Filters(), START, END, END)
    fig = charts.region_map(df, [("teachers_trained", "Teachers", "{:,.0f}")])
    grey = next(t for t in fig.data if t.name == "No activity in this selection")
    assert len(grey.x) == (df["records"] == 0).sum()
    assert not any(t.type in ("scattergeo", "choropleth", "scattermapbox", "scattermap") for t in fig.data)
    assert fig.layout.yaxis.scaleanchor == "x"


def test_charts_say_what_is_missing_on_empty_frames() -> None:
    nothing = pd.DataFrame(columns=["month", "country", "level", "n", "baseline", "target", "n_baseline"])
    for fig in (charts.monthly_vs_baseline(nothing, START, END, 0.1),
                charts.cumulative_vs_target(nothing, START, END, 40, (START, END)),
                charts.breakdown_bars(pd.DataFrame(columns=["sector", "country", "level", "n"]), "sector")):
        assert fig.layout.annotations[0].text == "No data for this selection"


# -- pages (AppTest) ----------------------------------------------------------------------------------------------

PAGES = ["pages/2_Education.py", "pages/3_Entrepreneurship.py", "pages/4_Countries_and_regions.py"]


def run(page: str, **params: str) -> AppTest:
    """Open ``page`` as a deep link: the app's entrypoint is dashboard.py, as in the real server."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
    for k, v in params.items():
        at.query_params[k] = v
    return (at if page == "dashboard.py" else at.switch_page(page)).run()


def captions(at: AppTest) -> str:
    return " | ".join(c.value for c in at.caption)


# a topic page opens on "At a glance" (no chart); its first indicator's tab draws that indicator's chart and the one
# detailing it (the attendance rate, the sectors)
FIRST_TABS = {"pages/2_Education.py": {"show": "children_in_school"},
              "pages/3_Entrepreneurship.py": {"show": "new_entrepreneurs"}}


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_and_shows_its_charts(small_db: Path, page: str) -> None:
    at = run(page, **FIRST_TABS.get(page, {}))
    assert not at.exception, [e.value for e in at.exception]
    charts_shown = at.get("plotly_chart")
    assert len(charts_shown) >= 2
    # the default as-of (the month most (dataset, partner) pairs reached): of the 11 pairs above, newest first
    # 2021-12 x3, 2020-02, 2020-01, 2019-05, ...: the 6th (index 11 // 2 = 5) is 2019-05, reached by 6 of 11
    assert "Data as of 31 May 2019" in captions(at)
    assert "2 of 4 countries reported for this period" in captions(at)  # only France and England sent rows


def test_education_page_sections_and_empty_states(small_db: Path) -> None:
    at = run(PAGES[0])
    # "At a glance": the catalogue's indicators for the page, in their order (tests/test_catalogue.py checks every
    # page), each with its headline and caption, in one block of text, and no chart
    glance = next(m.value for m in at.markdown if m.value.startswith("### "))
    headings = [line[4:] for line in glance.splitlines() if line.startswith("### ")]
    assert headings == [ind.label() for ind in on_page(load_reference(), "education")]
    assert "Refugee and migrant children attending school each month" in glance and "**Teachers trained" not in glance
    assert not at.get("plotly_chart")
    # the attendance rate is drawn for England only, on the children-in-school tab
    assert "1 of 4 countries send half-day sessions" in captions(run(PAGES[0], show="children_in_school"))


TABS = {"pages/2_Education.py": "education", "pages/3_Entrepreneurship.py": "entrepreneurship"}
DETAILS = {"children_in_school": ["attendance_rate"], "learning_communities": ["learning_communities_by_setting"],
           "new_entrepreneurs": ["entrepreneurs_by_sector"]}  # the charts drawn beside an indicator's (the pages)


@pytest.mark.parametrize("page", TABS)
def test_a_topic_page_builds_only_its_open_tab_and_keeps_it_in_the_link(small_db: Path, page: str) -> None:
    """Lazy tabs (ui/topic.py): "At a glance" first, then one tab per indicator; only the open one is built and
    sent, and the link says which (``show``, left out for the first tab)."""
    indicators = on_page(load_reference(), TABS[page])
    glance = run(page)
    assert [tab.label for tab in glance.tabs] == ["At a glance"] + [ind.label() for ind in indicators]
    assert not glance.get("plotly_chart") and "show" not in glance.query_params
    for ind in indicators:
        at = run(page, show=ind.id)
        drawn = [c.proto.id for c in at.get("plotly_chart")]
        assert [key.rsplit("fig_", 1)[-1] for key in drawn] == [ind.id, *DETAILS.get(ind.id, [])], ind.id
        assert at.query_params["show"] == ind.id and not at.warning[1:]  # only the DEMO/sample warnings, if any
        at.session_state["w_show"] = "At a glance"  # the reader opens the first tab: no chart, no show in the link
        at.run()
        assert not at.get("plotly_chart") and "show" not in at.query_params


def test_a_link_to_a_tab_the_page_has_not_opens_at_a_glance_and_says_so(small_db: Path) -> None:
    at = run(PAGES[0], show="new_entrepreneurs")  # an Entrepreneurship tab
    assert not at.exception and not at.get("plotly_chart")
    assert any("show 'new_entrepreneurs' in the link is not a tab of this page: showing “At a glance”" in w.value
               for w in at.warning)
    assert "show" not in at.query_params
    bad = run(PAGES[0], show="<b>x</b>")
    assert any("show '·b·x·/b·' in the link is not the name of a tab: ignored" in w.value for w in bad.warning)


def test_pages_take_filters_from_the_url(small_db: Path) -> None:
    at = run(PAGES[1], country="FR", as_of="2019-12-31", show="new_entrepreneurs")
    assert not at.exception
    assert at.session_state["siree_filters"]["country"] == ["FR"]
    assert "1 of 1 countries reported for this period" in captions(at)
    assert "Data as of 31 Dec 2019" in captions(at)
    assert at.query_params["country"] in ("FR", ["FR"])  # the URL keeps the filter


def test_a_selection_without_rows_shows_what_is_missing(small_db: Path) -> None:
    at = run(PAGES[0], country="BE", show="children_in_school")
    assert not at.exception
    assert not at.get("plotly_chart")
    infos = " ".join(i.value for i in at.info)
    assert "Nothing reported for this selection" in infos and "School attendance" in infos
    at = run(PAGES[2], region="BE212")
    assert not at.exception
    assert "No country in this selection has reported anything" in " ".join(i.value for i in at.info)


def test_the_sidebar_date_pickers_write_dates_as_the_reader_does(small_db: Path) -> None:
    for lang in ("en", "nl", "fr"):
        at = run(PAGES[2], lang=lang)
        assert [d.proto.format for d in at.sidebar.date_input] == ["DD/MM/YYYY", "DD/MM/YYYY"], lang  # not ISO
