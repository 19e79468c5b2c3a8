"""The reader's language: ``lang`` in the link, kept in the session and in links, switched in the sidebar;
``t`` in that language; numbers, money, percentages and dates in that language's convention (charts.style,
through Babel: en_GB, nl_BE, fr_FR).

Every expected string is written by hand from CLDR's conventions: en groups with "," and writes "."; nl
groups with "." and writes ","; fr groups with a narrow no-break space (U+202F, ``NNBSP``) and writes ",",
with a no-break space (U+00A0, ``NBSP``) before "%" and "€". English writes the currency as its code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from helpers import ROOT, TODAY, csv_bytes, rows_from, valid
from streamlit.testing.v1 import AppTest

from siree_metrics import i18n as engine_i18n
from siree_metrics.charts import indicators as plain_charts
from siree_metrics.charts import style
from siree_metrics.ingest.load import load_file
from siree_metrics.reference import load_reference
from ui import figures, i18n, url

NBSP, NNBSP = "\u00a0", "\u202f"


# -- formats --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("fn", "value", "en", "nl", "fr"), [
    (style.count, 1234.4, "1,234", "1.234", f"1{NNBSP}234"),
    (style.count, 2.5, "2", "2", "2"),  # half to even, the one rounding rule
    (style.count, 1_234_567, "1,234,567", "1.234.567", f"1{NNBSP}234{NNBSP}567"),
    (style.decimal, 1234.46, "1,234.5", "1.234,5", f"1{NNBSP}234,5"),
    (style.percent, 0.454, "45%", "45%", f"45{NBSP}%"),
    (style.rate, 0.3174, "31.7%", "31,7%", f"31,7{NBSP}%"),
    (style.change, 0.27684, "+27.7%", "+27,7%", f"+27,7{NBSP}%"),  # 27.684 % to one decimal
    (style.change, -0.05, "-5.0%", "-5,0%", f"-5,0{NBSP}%"),
    (style.target_change, 0.1, "+10%", "+10%", f"+10{NBSP}%"),
    (style.euros, Decimal("4880802.00"), "EUR 4,880,802", f"€{NBSP}4.880.802", f"4{NNBSP}880{NNBSP}802{NBSP}€"),
    (style.euros_exact, Decimal("1234.56"), "EUR 1,234.56", f"€{NBSP}1.234,56", f"1{NNBSP}234,56{NBSP}€"),
    (style.euros_exact, Decimal("-1234.50"), "EUR -1,234.50", f"€{NBSP}-1.234,50", f"-1{NNBSP}234,50{NBSP}€"),
    # 1,234,567 / 1,000,000 = 1.234567 -> two decimals 1.23, with CLDR's word for a million
    (style.euros_short, 1_234_567, "EUR 1.23 M", f"€{NBSP}1,23{NBSP}mln.", f"1,23{NBSP}M{NBSP}€"),
    (style.euros_short, Decimal("540000.00"), "EUR 540 k", f"€{NBSP}540{NBSP}k", f"540{NBSP}k{NBSP}€"),
    (style.count, None, "—", "—", "—"),
    (style.euros, float("nan"), "—", "—", "—"),
    (style.date, dt.date(2021, 12, 31), "31 Dec 2021", "31 dec 2021", "31 déc. 2021"),
    (style.month, dt.date(2021, 12, 31), "Dec 2021", "dec 2021", "déc. 2021"),
])
def test_formats_in_each_language(fn, value, en, nl, fr) -> None:  # noqa: ANN001
    assert (fn(value), fn(value, "en"), fn(value, "nl"), fn(value, "fr")) == (en, en, nl, fr)


def test_the_points_word_is_the_callers_and_the_digits_the_locales() -> None:
    assert style.points(3.0, "nl", unit="procentpunt") == "+3,0 procentpunt"
    assert style.points(-0.04) == "-0.0 points"  # -0.04 to one decimal keeps its sign, as Python wrote it


def test_chart_axes_use_the_locales_separators_and_money_pattern() -> None:
    assert [style.separators(lang) for lang in ("en", "nl", "fr")] == [".,", ",.", "," + NNBSP]
    assert style.money_axis("en") == {"tickprefix": "EUR ", "ticksuffix": ""}
    assert style.money_axis("nl") == {"tickprefix": "€" + NBSP, "ticksuffix": ""}
    assert style.money_axis("fr") == {"tickprefix": "", "ticksuffix": NBSP + "€"}


def test_month_ticks_name_the_months_in_the_readers_language() -> None:
    # 2019-01-01 .. 2021-12-31 spans 35 months (> 24): one tick every January
    ticks = style.month_ticks(dt.date(2019, 1, 1), dt.date(2021, 12, 31), "fr")
    assert ticks["tickvals"] == [dt.date(2019, 1, 1), dt.date(2020, 1, 1), dt.date(2021, 1, 1)]
    assert ticks["ticktext"] == ["janv. 2019", "janv. 2020", "janv. 2021"]


def test_a_chart_shows_the_cards_digits_in_the_readers_convention() -> None:
    # one relative indicator at +27.684 % in France: the Dutch hover says +27,7% (as the Dutch card), target +10%
    df = pd.DataFrame({"indicator": ["Kinderen op school"], "country": ["FR"], "value": [0.27684], "target": [0.1],
                       "attainment": [2.7684], "expected": [0.5], "status": ["achieved"], "n": [1234],
                       "kind": ["relative"]})
    hover = plain_charts.attainment_by_country(df, locale="nl").data[0].customdata[0][0]
    assert "Value: +27,7% · target +10%" in hover and "n = 1.234" in hover  # words: the page's ``text`` (English here)
    assert "Attainment: 277%" in hover  # 2.7684 -> 276.84 % -> 277 %
    fig = plain_charts.monthly_by_country(pd.DataFrame({
        "month": [dt.date(2021, 12, 31)], "country": ["FR"], "level": [0.3174], "n": [1234]}),
        dt.date(2021, 1, 1), dt.date(2021, 12, 31), locale="fr")
    assert list(fig.data[0].customdata[0]) == [f"1{NNBSP}234", f"31,7{NBSP}%", "déc. 2021"]
    assert fig.layout.separators == "," + NNBSP


def test_the_figure_cache_keeps_each_language_apart() -> None:
    figures._figures.clear()
    pace = pd.DataFrame({"label": ["A"], "attainment": [0.454], "expected": [0.5], "status": ["at_risk"]})
    en = figures.charts.attainment_vs_pace(pace)
    fr = figures.charts.attainment_vs_pace(pace, locale="fr")
    assert en.layout.annotations[1].text.startswith("<b>45%</b>")
    assert fr.layout.annotations[1].text.startswith(f"<b>45{NBSP}%</b>")


# -- the language: URL, t -------------------------------------------------------------------------------------

def parse(query: dict) -> url.Asked:
    return url.parse(query, load_reference(), dt.date(2021, 6, 30))


@pytest.mark.parametrize(("raw", "lang"), [("nl", "nl"), ("FR", "fr"), (" en ", "en"), ("", "en")])
def test_a_known_language_is_taken_without_a_notice(raw: str, lang: str) -> None:
    asked = parse({"lang": raw})
    assert (asked.lang, asked.notices) == (lang, [])
    assert url.language({"lang": raw}) == lang


def test_an_unknown_language_reads_as_english_and_says_so() -> None:
    asked = parse({"lang": "de<script>"})
    assert asked.lang == "en"
    assert asked.notices == ["lang 'de·script·' in the link is not a language of this dashboard (en, nl or fr): "
                             "showing English"]
    assert parse({}).lang == "en" and parse({}).notices == []
    assert "lang" not in parse({"lang": "nl"}).state()  # kept beside the filters, not among them


@pytest.fixture
def locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Translation files of our own, so these tests do not depend on what the translators wrote."""
    (tmp_path / "nl").mkdir()
    (tmp_path / "nl" / "interface.toml").write_text('"Budget" = "Begroting"\n"{n} rows" = "{n} rijen"\n', encoding="utf-8")
    (tmp_path / "nl" / "loader.toml").write_text('"{k} of {n}" = "{k} van {x}"\n', encoding="utf-8")
    monkeypatch.setattr(engine_i18n, "LOCALES", tmp_path)
    engine_i18n._catalogue.cache_clear()
    yield tmp_path
    engine_i18n._catalogue.cache_clear()


def test_t_uses_the_current_language_without_being_told(locales: Path) -> None:
    assert i18n.language() == "en" and i18n.t("Budget") == "Budget"
    with i18n.using("nl"):
        assert i18n.language() == "nl"
        assert i18n.t("Budget") == "Begroting"
        assert i18n.t("{n} rows", n="1.234") == "1.234 rijen"
        assert i18n.t("Not translated yet") == "Not translated yet"  # English where no translation exists
        assert i18n.t("Budget", "en") == "Budget"  # an explicit language wins
        # a translation naming a placeholder the English text does not have: English, not a broken page
        assert i18n.t("{k} of {n}", k=1, n=2) == "1 of 2"
    with i18n.using("xx"):
        assert i18n.language() == "en"
    assert i18n.language() == "en"


# -- the pages ------------------------------------------------------------------------------------------------

@pytest.fixture
def small_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "small.duckdb"
    path = tmp_path / "communities.csv"
    path.write_bytes(csv_bytes(rows_from(valid("learning_communities", community_id=i) for i in ("C1", "C2"))))
    assert load_file(db, "learning_communities", path, today=TODAY).status == "loaded"
    monkeypatch.setenv("SIREE_DB", str(db))
    return db


def page_text(at: AppTest) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def test_a_dutch_link_shows_dutch_labels_and_dutch_numbers_on_the_overview(small_db: Path) -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = "nl"
    at.run()
    assert not at.exception
    text = page_text(at)
    for ind in load_reference().indicators:  # each card named as the catalogue's label_nl
        assert ind.label("nl") in text
    # the programme's budget (programme.toml: 4,880,802 euros) and first-time applicants (147,815), as nl writes them
    assert f"€{NBSP}4.880.802" in text and "147.815" in text
    assert "4,880,802" not in text and "147,815" not in text
    assert at.sidebar.radio[0].value == "nl"
    assert at.query_params["lang"] == "nl"


def test_the_language_survives_a_page_switch_and_the_switch_changes_it(small_db: Path) -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = "nl"
    at.run()
    at.switch_page("pages/5_Budget.py").run()
    assert not at.exception
    assert at.sidebar.radio[0].value == "nl"
    assert at.query_params["lang"] == "nl"  # carried in the link of the new page
    # the budget metric: 4,880,802 -> 4.88 million, Dutch digits and word
    assert f"€{NBSP}4,88{NBSP}mln." in [m.value for m in at.metric]
    at.sidebar.radio[0].set_value("fr").run()
    assert not at.exception
    assert f"4,88{NBSP}M{NBSP}€" in [m.value for m in at.metric]
    assert at.query_params["lang"] == "fr"
    at.sidebar.radio[0].set_value("en").run()
    assert "lang" not in at.query_params  # English, the default, is left out of links
    assert "EUR 4.88 M" in [m.value for m in at.metric]


def test_an_unknown_language_in_a_link_shows_english_and_a_notice(small_db: Path) -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = "de"
    at.run()
    assert not at.exception
    assert any("'de' in the link is not a language of this dashboard" in w.value for w in at.warning)
    assert at.sidebar.radio[0].value == "en"
    assert "4,880,802" in page_text(at)
