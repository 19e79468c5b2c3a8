"""The meeting tools under every page title (ui/meeting.py) by role, in the app (AppTest): everyone sees the list
of snapshots, each a link that reopens it; only an admin removes a committee note, and only after ticking the
confirmation.

The database: ADICE's learning communities C1-C3 loaded; snapshot 1 frozen by ann (France, as of 2021-06-30,
a name with Markdown and HTML in it); two notes on learning communities (note 1: 2019-03, note 2: 2020-03 to
2020-06).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ROOT, TODAY, csv_bytes, rows_from, valid
from streamlit.testing.v1 import AppTest

from siree_metrics import meetings
from siree_metrics.accounts import User
from siree_metrics.ingest import store
from siree_metrics.ingest.load import load_file
from siree_metrics.metrics.filters import Filters
from ui import auth

AS_OF = dt.date(2021, 6, 30)
NAME = "Board <b>2021</b> [x](http://evil)"
CONFIRM = "Yes, remove this note for everyone"


@pytest.fixture
def meeting_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    db = tmp_path / "meeting.duckdb"
    path = tmp_path / "first.csv"
    path.write_bytes(csv_bytes(rows_from([valid("learning_communities", community_id=c) for c in ("C1", "C2", "C3")])))
    assert load_file(db, "learning_communities", path, loaded_by="test", today=TODAY).status == "loaded"
    meetings.freeze(db, NAME, Filters(("FR",)), AS_OF, "ann", now=dt.datetime(2021, 7, 1, 9, 30))
    meetings.add_note(db, "learning_communities", dt.date(2019, 3, 1), dt.date(2019, 3, 1), "first", "ann")
    meetings.add_note(db, "learning_communities", dt.date(2020, 3, 1), dt.date(2020, 6, 1), "lockdown", "ann")
    monkeypatch.setenv("SIREE_DB", str(db))
    yield db


def _open(user: User | None) -> AppTest:
    """The Overview for ``user``, the toolbar's popovers open (a closed one is not built: ui/meeting.py)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key in ("pop_pack", "pop_snapshots", "pop_freeze", "pop_notes"):
        at.session_state[key] = True
    if user is not None:
        at.session_state[auth.USER] = (user, dt.datetime.now())
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _note_ids(db: Path) -> list[int]:
    with store.connect(db) as con:
        return [n.id for n in meetings.notes(con)]


def test_everyone_sees_the_snapshots_each_a_link_that_reopens_it(meeting_db: Path) -> None:
    at = _open(None)  # a viewer
    line = next(m.value for m in at.markdown if "?snapshot=1)" in m.value)
    # the name escaped (it can never become a link or bold), the link relative (this page, snapshot 1), when it
    # was frozen and by whom, its as-of date and its scope in words
    assert line == ("- [#1 Board \\<b\\>2021\\</b\\> \\[x\\]\\(http\\://evil\\)](?snapshot=1) · frozen "
                    "2021-07-01 09:30:00 by ann · as of 30 Jun 2021 · France")
    # a viewer removes nothing: no removal form, no confirmation
    assert not any(c.label == CONFIRM for c in at.checkbox)
    assert not any(b.label == "Remove" for b in at.button)


def test_a_partner_adds_notes_but_does_not_remove_them(meeting_db: Path) -> None:
    at = _open(User("ann", "partner", "ADICE"))
    assert any(b.label == "Add the note" for b in at.button)
    assert not any(c.label == CONFIRM for c in at.checkbox)
    assert not any(b.label == "Remove" for b in at.button)


def test_an_admin_removes_a_note_only_after_confirming(meeting_db: Path) -> None:
    at = _open(User("boss", "admin"))
    choice = next(s for s in at.selectbox if s.label == "Note to remove")
    assert choice.options[1].startswith("New learning communities · 2020-03 – 2020-06: lockdown (ann, ")
    choice.set_value(2)
    next(b for b in at.button if b.label == "Remove").click().run()  # the box not ticked: nothing removed
    assert not at.exception, [e.value for e in at.exception]
    assert any("Tick the box to confirm" in w.value for w in at.warning)
    assert _note_ids(meeting_db) == [1, 2]

    next(s for s in at.selectbox if s.label == "Note to remove").set_value(2)
    next(c for c in at.checkbox if c.label == CONFIRM).check()
    next(b for b in at.button if b.label == "Remove").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "Note 2 removed." for s in at.success)
    assert _note_ids(meeting_db) == [1]  # note 1 is left as it was
    assert [o for o in next(s for s in at.selectbox if s.label == "Note to remove").options] == [
        next(s for s in at.selectbox if s.label == "Note to remove").options[0]]


def test_closed_toolbar_popovers_are_not_built(meeting_db: Path) -> None:
    """ui/meeting.py: a popover's forms and list are built only while it is open (a filter change then rebuilds
    none of them)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state[auth.USER] = (User("boss", "admin"), dt.datetime.now())
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [p.proto.popover.label for p in at.get("popover")] == ["Meeting pack", "Snapshots", "Freeze for meeting", "Notes"]
    assert not any(b.label in ("Add the note", "Freeze", "Remove") for b in at.button)
    assert not any("?snapshot=1)" in m.value for m in at.markdown)
