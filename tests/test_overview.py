"""The Overview page (dashboard.py): the cards, the first start, and data loaded while it is open."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, TODAY, csv_bytes, rows_from, subprocess_env, valid
from streamlit.testing.v1 import AppTest

from siree_metrics.ingest import store
from siree_metrics.ingest.load import load_file
from siree_metrics.reference import load_reference


def communities(*ids: str) -> bytes:
    return csv_bytes(rows_from(valid("learning_communities", community_id=i) for i in ids))


def overview(timeout: float = 60, **query: str) -> AppTest:
    """The Overview opened as a link with the URL parameters ``query``, run once."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def card_text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


@pytest.fixture
def small_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "small.duckdb"
    path = tmp_path / "communities.csv"
    path.write_bytes(communities("C1", "C2"))
    assert load_file(db, "learning_communities", path, today=TODAY).status == "loaded"
    monkeypatch.setenv("SIREE_DB", str(db))
    return db


def test_overview_shows_a_card_per_indicator_budget_and_context(small_db: Path) -> None:
    at = overview()
    assert not at.exception
    text = card_text(at)
    for ind in load_reference().indicators:  # a card for every entry of the catalogue
        assert ind.label() in text
    assert "target 40" in text and "○ No data" in text  # the two communities; indicators without rows say so
    assert "147,815" in text and "national totals" in text
    assert "4,880,802" in text and "2,928,481" in text
    assert not at.warning  # not the demo database: no demo label


def test_overview_takes_filters_from_the_url(small_db: Path) -> None:
    at = overview(country="FR", as_of="2019-12-31")
    assert not at.exception
    assert at.sidebar.multiselect[0].value == ["FR"]
    assert "target 6 *" in card_text(at)  # France's (illustrative) share of the 40 communities
    assert "data as of **31 Dec 2019**" in card_text(at)  # every date shown as the reader writes it


def test_every_date_on_the_overview_is_in_the_readers_language(small_db: Path) -> None:
    # lang=fr: the project's dates in the line under the title and the as-of date in the caption under the
    # pace chart are Babel's fr_FR medium dates (31 déc. 2019), not ISO dates
    at = overview(as_of="2019-12-31", lang="fr")
    assert not at.exception
    text = card_text(at)
    assert "du 1 mars 2018 au 31 déc. 2021 · données au **31 déc. 2019**" in text  # programme 2018-03-01 to 2021-12-31
    assert any(c.value.startswith("Données au 31 déc. 2019 · ") for c in at.caption)  # under the pace chart
def test_a_load_from_the_command_line_shows_on_the_next_interaction(small_db: Path, tmp_path: Path) -> None:
    at = overview()
    assert ">2</div>" in card_text(at).replace(" ", "")
    more = tmp_path / "more.csv"
    more.write_bytes(communities("C3", "C4", "C5"))
    done = subprocess.run([sys.executable, "-m", "siree_metrics", "load", "--db", str(small_db), "--dataset",
                           "learning_communities", str(more)], env=subprocess_env(), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    at.run()
    assert not at.exception
    assert ">5</div>" in card_text(at).replace(" ", "")


def test_first_start_without_a_database_builds_the_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIREE_DB", raising=False)
    monkeypatch.setattr(store, "DEFAULT_DB", tmp_path / "siree.duckdb")
    at = overview(timeout=180)
    assert not at.exception
    assert (tmp_path / "siree.duckdb").exists()
    assert any("DEMO DATA" in w.value for w in at.warning)
    assert "44" in card_text(at)  # the demo's learning communities


def test_overview_says_why_the_as_of_date_and_counts_indicators_with_rows(small_db: Path, tmp_path: Path) -> None:
    # the small database: 2 communities of ADICE (2019-03-15); add one VIVES training nobody completed
    path = tmp_path / "training.csv"
    path.write_bytes(csv_bytes(rows_from([valid("teacher_training", completed="no")])))
    assert load_file(small_db, "teacher_training", path, today=TODAY).status == "loaded"
    at = overview()
    assert not at.exception
    # two (dataset, partner) pairs, both with their latest record in 2019-03: the default is 2019-03-31
    assert "data as of **31 Mar 2019**" in card_text(at)
    assert any("Why this date: the latest month that most partner datasets have reached (2 of 2" in c.value
               for c in at.caption)
    # the training row makes 0 teachers a value (with a status), so 2 indicators have data, not 1
    n = len(load_reference().indicators)
    assert any(f"2 of {n} indicators have data" in c.value for c in at.caption)
    assert ">0</div>" in card_text(at).replace(" ", "")


def test_overview_after_the_end_shows_final_statuses(small_db: Path) -> None:
    at = overview(as_of="2022-06-30")
    assert not at.exception
    text = card_text(at)
    assert "data as of **31 Dec 2021**" in text  # capped at the project end
    assert "✖ Not achieved" in text  # 2 of 40 communities, final
    assert "On track" not in text and "At risk" not in text
    assert any("these are the final figures" in c.value for c in at.caption)
