"""URL parameters: every value checked (ui.url), and no page breaks whatever a link holds (AppTest)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ROOT, TODAY, csv_bytes, rows_from, valid
from streamlit.testing.v1 import AppTest

from siree_metrics.ingest.load import load_file
from siree_metrics.reference import load_reference
from ui import url

REF = load_reference()
LATEST = dt.date(2021, 6, 30)  # a default as-of before the project end


def parse(**query: str) -> url.Asked:
    return url.parse(query, REF, LATEST)


def test_a_clean_link_is_taken_as_it_is() -> None:
    asked = parse(country="be,NL", region="BE212", partner="MECHELEN", **{"from": "2019-01-01", "to": "2020-12-31"},
                  as_of="2020-06-30")
    assert asked.state() == {"country": ["BE", "NL"], "region": ["BE212"], "partner": ["MECHELEN"],
                             "from": dt.date(2019, 1, 1), "to": dt.date(2020, 12, 31), "as_of": dt.date(2020, 6, 30)}
    assert asked.notices == []
    assert parse(show="teachers_trained").state()["show"] == "teachers_trained"  # a tab, kept as asked
    assert "show" not in parse(show="").state()


@pytest.mark.parametrize(("query", "state", "notice"), [
    # after the project end (2021-12-31): the final figures
    ({"as_of": "2030-01-01"}, {"as_of": dt.date(2021, 12, 31)},
     "as_of 2030-01-01 is after the project end: showing the final figures, as of 2021-12-31"),
    ({"as_of": "2022-03-31"}, {"as_of": dt.date(2021, 12, 31)}, "as_of 2022-03-31 is after the project end"),
    # before the earliest date data may have (programme.toml: 2017-01-01)
    ({"from": "2000-01-01"}, {"from": dt.date(2017, 1, 1)},
     "from 2000-01-01 is before the earliest date with data (2017-01-01): showing 2017-01-01"),
    # the later of the project end and the default as-of bounds the period
    ({"to": "2031-05-05"}, {"to": dt.date(2021, 12, 31)}, "to 2031-05-05 is after the last date there is (2021-12-31)"),
    ({"as_of": "2020-13-01"}, {"as_of": None}, "as_of '2020-13-01' in the link is not a date (write YYYY-MM-DD): ignored"),
    ({"from": "2019-01"}, {"from": None}, "from '2019-01' in the link is not a date"),
    ({"country": "XX"}, {"country": []}, "Country 'XX' in the link is not known here: ignored"),
    ({"region": "ZZ999"}, {"region": []}, "Region 'ZZ999' in the link is not known here"),
    # a region and a partner outside the chosen country are dropped
    ({"country": "FR", "region": "BE212"}, {"country": ["FR"], "region": []}, "Region 'BE212'"),
    ({"country": "FR", "partner": "MECHELEN"}, {"partner": []}, "Partner 'MECHELEN'"),
    ({"from": "2021-01-01", "to": "2019-01-01"}, {"from": dt.date(2019, 1, 1), "to": dt.date(2021, 1, 1)},
     "the period was the wrong way round (from 2021-01-01 to 2019-01-01): showing 2019-01-01 to 2021-01-01"),
    # a topic page's tab: an id's shape only (the page says whether it has that tab: tests/test_pages_indicators.py)
    ({"show": "Teachers Trained"}, {}, "show 'Teachers Trained' in the link is not the name of a tab: ignored"),
    ({"show": "x" * 61}, {}, "is not the name of a tab: ignored"),
])
def test_what_a_link_cannot_have_is_replaced_and_said(query: dict, state: dict, notice: str) -> None:
    asked = parse(**query)
    for name, value in state.items():
        assert asked.state()[name] == value
    assert "show" not in asked.state()
    assert any(notice in n for n in asked.notices), asked.notices


def test_hostile_values_are_quoted_as_plain_text_and_short() -> None:
    asked = parse(country="![p](http://evil.example/h.png)", partner="<script>alert(1)</script>",
                  region="'; DROP TABLE batches; --" + "A" * 500)
    text = " ".join(asked.notices)
    assert asked.state()["country"] == [] and asked.state()["partner"] == [] and asked.state()["region"] == []
    for forbidden in ("(", ")", "[", "]", "<", ">", "!", ";"):  # nothing Markdown or HTML could read
        assert forbidden not in text, (forbidden, text)
    assert all(len(n) < 160 for n in asked.notices)


def test_a_repeated_parameter_counts_once() -> None:
    assert parse(country=["BE", "FR"]).country == ["FR"]  # type: ignore[arg-type]


# -- every page, opened with hostile links -------------------------------------------------------------------------

PAGES = ["dashboard.py", "pages/2_Education.py", "pages/3_Entrepreneurship.py", "pages/4_Countries_and_regions.py",
         "pages/5_Budget.py", "pages/6_Data.py", "pages/7_Method.py"]
HOSTILE = [
    {"as_of": "2022-03-31"}, {"as_of": "2030-01-01"}, {"from": "2000-01-01"}, {"as_of": "2020-13-01"},
    {"from": "2019-01"}, {"country": "XX"}, {"from": "2021-01-01", "to": "2019-01-01"},
    {"country": "BE' OR 1=1 --", "region": "<img src=x onerror=alert(1)>", "partner": "x" * 5000},
    {"as_of": "9999-99-99", "to": "0000-00-00", "from": "1900-01-01T00:00"},
    {"show": "<script>alert(1)</script>"}, {"show": "ü" * 5000},
]


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("url")
    db = folder / "small.duckdb"
    for dataset in ("learning_communities", "expenditure"):
        path = folder / f"{dataset}.csv"
        path.write_bytes(csv_bytes(rows_from([valid(dataset)])))
        assert load_file(db, dataset, path, loaded_by="test", today=TODAY).status == "loaded"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SIREE_DB", str(db))
        yield db


def open_page(page: str, query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
    for k, v in query.items():
        at.query_params[k] = v
    return (at if page == "dashboard.py" else at.switch_page(page)).run()


@pytest.mark.parametrize("query", HOSTILE, ids=lambda q: ",".join(q)[:30])
def test_no_hostile_link_breaks_the_overview(small_db: Path, query: dict[str, str]) -> None:
    at = open_page("dashboard.py", query)
    assert not at.exception, [e.value for e in at.exception]
    assert any("The link asked for something this page cannot show" in w.value for w in at.warning)


@pytest.mark.parametrize("page", PAGES)
def test_no_page_breaks_on_a_link_full_of_mistakes_and_the_session_goes_on(small_db: Path, page: str) -> None:
    at = open_page(page, {"as_of": "2030-01-01", "from": "2021-01-01", "to": "2019-01-01", "country": "XX",
                          "region": "<b>x</b>", "show": "no_such_tab"})
    assert not at.exception, [e.value for e in at.exception]
    warning = " ".join(w.value for w in at.warning)
    assert "show 'no_such_tab' in the link" in warning and "show" not in at.query_params  # said, and dropped
    assert "as_of 2030-01-01 is after the project end" in warning
    assert "wrong way round" in warning
    at.switch_page("pages/7_Method.py" if page != "pages/7_Method.py" else "dashboard.py").run()  # same session
    assert not at.exception, [e.value for e in at.exception]
