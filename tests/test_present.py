"""Presentation mode, reopened snapshots and committee notes in the app (AppTest), and their URL parameters.

The database: ADICE's learning communities C1-C3 (established 2019-03-15) loaded, a snapshot frozen
("Steering committee 2020-11-19", as of 2021-06-30), then a correction with C1-C5: today 5 communities, the
snapshot 3. A note on learning communities for 2019-03 to 2019-06 with a hostile text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ROOT, TODAY, csv_bytes, rows_from, valid
from streamlit.testing.v1 import AppTest

from siree_metrics import meetings
from siree_metrics.ingest.load import load_file
from siree_metrics.metrics.filters import Filters
from siree_metrics.reference import load_reference
from ui import url

AS_OF = dt.date(2021, 6, 30)
NOTE = "<b>schools closed</b> [link](http://x)"
SLIDES = 1 + len(load_reference().indicators)  # the overview, then one per indicator


def _communities(db: Path, folder: Path, ids: list[str], name: str) -> None:
    path = folder / name
    path.write_bytes(csv_bytes(rows_from([valid("learning_communities", community_id=c) for c in ids])))
    assert load_file(db, "learning_communities", path, loaded_by="test", today=TODAY).status == "loaded"


@pytest.fixture(scope="module")
def meeting_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("present")
    db = folder / "meeting.duckdb"
    _communities(db, folder, ["C1", "C2", "C3"], "first.csv")
    meetings.freeze(db, "Steering committee 2020-11-19", Filters(), AS_OF, "ann")
    _communities(db, folder, ["C1", "C2", "C3", "C4", "C5"], "correction.csv")
    meetings.add_note(db, "learning_communities", dt.date(2019, 3, 1), dt.date(2019, 6, 1), NOTE, "ann")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SIREE_DB", str(db))
        yield db


def open_page(query: dict[str, str], page: str = "dashboard.py") -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at = (at if page == "dashboard.py" else at.switch_page(page)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _html(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _slide(at: AppTest) -> str:
    return next(m.value for m in at.markdown if " / " in m.value and "siree-line" in m.value)


def test_presentation_mode_moves_between_slides(meeting_db: Path) -> None:
    at = open_page({"present": "1", "as_of": "2021-06-30"})
    assert ">1 / " in _slide(at) and f"/ {SLIDES}<" in _slide(at)
    assert "Where every target stands" in _html(at)
    assert "[data-testid=\"stSidebar\"]" in _html(at)  # the stylesheet that hides the sidebar
    assert at.button(key="present_prev").disabled
    at.button(key="present_next").click().run()
    assert ">2 / " in _slide(at)
    assert "New learning communities" in _html(at)  # the first indicator of the catalogue
    assert "5 of 40 communities" in _html(at)  # its takeaway, from the figures (C1-C5)
    assert at.query_params["slide"] == "2" and at.query_params["as_of"] == "2021-06-30"  # scope kept
    at.button(key="present_prev").click().run()
    assert ">1 / " in _slide(at)
    at.button(key="present_exit").click().run()
    assert not any(" / " in m.value and "siree-line" in m.value for m in at.markdown)
    assert "present" not in at.query_params


def test_a_slide_link_opens_on_that_slide_and_the_last_is_the_end(meeting_db: Path) -> None:
    at = open_page({"present": "1", "slide": "99", "lang": "nl"})
    assert f">{SLIDES} / {SLIDES}<" in _slide(at)
    assert at.button(key="present_next").disabled
    assert at.query_params["lang"] == "nl"  # the language of the link kept


def test_a_note_shows_under_its_chart_and_on_its_slide_escaped(meeting_db: Path) -> None:
    at = open_page({"as_of": "2021-06-30", "show": "learning_communities"}, "pages/2_Education.py")
    notes = [c.value for c in at.caption if "Note 1" in c.value]
    assert notes and "<b>" not in notes[0] and "\\<b\\>schools closed\\</b\\>" in notes[0]
    at = open_page({"present": "1", "slide": "2", "as_of": "2021-06-30"})
    assert "Note 1 · 2019-03 – 2019-06: &lt;b&gt;schools closed&lt;/b&gt;" in _html(at)


def test_a_snapshot_link_shows_the_frozen_figures_and_what_changed(meeting_db: Path) -> None:
    now = open_page({})
    assert ">5</div>" in _html(now)  # today's card: 5 communities
    at = open_page({"snapshot": "1"})
    assert ">3</div>" in _html(at) and ">5</div>" not in _html(at)  # the snapshot's card: 3
    banner = " ".join(i.value for i in at.info)
    assert "Steering committee 2020\\-11\\-19" in banner and "Changed since (1)" in banner
    assert "correction\\.csv" in banner
    assert at.query_params["snapshot"] == "1" and at.query_params["as_of"] == "2021-06-30"
    unknown = open_page({"snapshot": "7"})
    assert any("snapshot '7' in the link is not known here" in w.value for w in unknown.warning)


def test_url_checks_for_present_slide_and_snapshot() -> None:
    ref, latest = load_reference(), dt.date(2021, 6, 30)
    snap = meetings.Snapshot(4, "M", dt.date(2020, 9, 30), dt.datetime(2020, 11, 19, 9, 0), 2, 0, Filters(("BE",)),
                             None, None, "en", "ann")
    asked = url.parse({"snapshot": "4", "country": "FR", "present": "1", "slide": "3"}, ref, latest,
                      snapshots={4: snap})
    assert asked.state() == {"country": ["BE"], "region": [], "partner": [], "from": None, "to": None,
                             "as_of": dt.date(2020, 9, 30), "as_loaded_on": dt.datetime(2020, 11, 19, 9, 0),
                             "snapshot": 4, "present": 1, "slide": 3}  # the snapshot's scope wins over the link's
    bad = url.parse({"snapshot": "x1", "present": "yes", "slide": "-2"}, ref, latest, snapshots={4: snap})
    assert "snapshot" not in bad.state() and "present" not in bad.state()
    assert len(bad.notices) == 3, bad.notices


def test_the_status_history_page_draws_a_chart_per_indicator(meeting_db: Path) -> None:
    at = open_page({"as_of": "2021-06-30"}, "pages/8_History.py")
    assert len(at.subheader) == len(load_reference().indicators)
    assert any("Note 1" in c.value for c in at.caption)  # the note on learning communities, under its chart


def test_an_admin_freezes_a_view_from_the_page(meeting_db: Path) -> None:
    from siree_metrics.accounts import User
    from ui import auth

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state[auth.USER] = (User("admin1", "admin"), dt.datetime.now())
    at.session_state["pop_freeze"] = True  # the toolbar's "Freeze for meeting" open (ui/meeting.py)
    at.query_params["country"] = "FR"
    at.run()
    next(w for w in at.text_input if w.label == "Meeting").input("Board <b>2021</b>")
    next(b for b in at.button if b.label == "Freeze").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Frozen as snapshot 2" in s.value for s in at.success)
    from siree_metrics.ingest import store

    with store.connect(meeting_db) as con:
        snap = meetings.snapshot(con, 2)
    assert snap is not None and snap.name == "Board <b>2021</b>" and snap.filters == Filters(("FR",))
    assert snap.made_by == "admin1"
