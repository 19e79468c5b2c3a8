"""Meetings (siree_metrics.meetings): snapshots that keep their numbers after corrections, committee notes in
the pack, the status history, and the pack a viewer gets; on small inline databases, figures by hand below.

- learning communities (not people): ADICE (FR) C1, C2, C3 established 2019-03-15, so 3 of the target 40;
  the correction sent later holds C1 to C5 (it replaces C1-C3 and adds C4, C5): 5 of 40;
- new entrepreneurs (people): UOG E1, E2, E3 registered 2019-03-15: 3 of the target 50, which a viewer sees
  as <5 (counts of 1-4 people are suppressed).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import TODAY, csv_bytes, rows_from, valid

from siree_metrics import cli, meetings
from siree_metrics.ingest import audit, store
from siree_metrics.ingest.load import load_file
from siree_metrics.metrics import suppress, timeline
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import summarize
from siree_metrics.pack import build_pack, write_pack
from siree_metrics.reference import load_reference

AS_OF = dt.date(2021, 6, 30)
HOSTILE = "<script>alert('x')</script> schools closed & \"lockdown\""


def _load(db: Path, tmp_path: Path, dataset: str, records: list[dict[str, object]], name: str) -> None:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows_from(records)))
    result = load_file(db, dataset, path, today=TODAY)
    assert result.status == "loaded", result.report()


def _communities(db: Path, tmp_path: Path, ids: list[str], name: str) -> None:
    _load(db, tmp_path, "learning_communities", [valid("learning_communities", community_id=c) for c in ids], name)


def _value(con, indicator: str, as_of: dt.date = AS_OF) -> float | None:  # noqa: ANN001
    return next(r.value for r in summarize(con, as_of).indicators if r.id == indicator)


@pytest.fixture
def frozen(db: Path, tmp_path: Path) -> meetings.Snapshot:
    """3 communities loaded (batch 1), then a snapshot of the programme as of 2021-06-30, then the correction
    (batch 2) that makes them 5."""
    _communities(db, tmp_path, ["C1", "C2", "C3"], "first.csv")
    snap = meetings.freeze(db, "  Steering committee   2020-11-19 ", Filters(), AS_OF, "ann", lang="nl")
    _communities(db, tmp_path, ["C1", "C2", "C3", "C4", "C5"], "correction.csv")
    return snap


def test_a_snapshot_reproduces_its_numbers_after_a_correction(db: Path, frozen: meetings.Snapshot) -> None:
    assert frozen.name == "Steering committee 2020-11-19"  # spaces tidied
    assert (frozen.as_of, frozen.last_batch, frozen.last_entry, frozen.lang) == (AS_OF, 1, 0, "nl")
    with store.connect(db) as con:
        assert _value(con, "learning_communities") == 5  # today's figure: the correction counts
        assert meetings.snapshot(con, frozen.id) == frozen
        assert [c.line.split(": ", 1)[1] for c in meetings.changes_since(con, frozen)] == [
            "batch 2 (correction.csv, learning_communities) loaded by " + _by(con, 2)]
    with meetings.reading(db, frozen) as con:
        assert _value(con, "learning_communities") == 3  # the snapshot's figure: batch 2 left out

    audit.retract(db, 1, by="admin", reason="sent twice")  # an act after the snapshot is listed too
    with store.connect(db) as con:
        assert [(c.what, c.batch) for c in meetings.changes_since(con, frozen)] == [("loaded", 2), ("retracted", 1)]
    with meetings.reading(db, frozen) as con:
        assert _value(con, "learning_communities") == 3  # the retraction came later: undone in the snapshot


def _by(con, batch: int) -> str:  # noqa: ANN001
    return con.execute("SELECT loaded_by FROM batches WHERE batch_id = $b", {"b": batch}).fetchone()[0]


def test_the_pack_of_a_snapshot_from_the_command_line(db: Path, frozen: meetings.Snapshot, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pack"
    assert cli.main(["pack", "--db", str(db), "--snapshot", str(frozen.id), "--out", str(out)]) == 0
    html = (out / "siree_pack_programme_2021-06-30.html").read_text(encoding="utf-8")
    assert "3 van 40 gemeenschappen" in html  # the snapshot's 3, not today's 5, in the snapshot's Dutch
    assert "Momentopname #1 Steering committee 2020-11-19 (vastgelegd " in html
    assert "Sindsdien (1): " in html and "correction.csv" in html
    assert 'lang="nl"' in html  # the snapshot's language
    assert cli.main(["pack", "--db", str(db), "--snapshot", "9", "--out", str(out)]) == 2
    assert "there is no snapshot 9" in capsys.readouterr().err
    assert cli.main(["pack", "--db", str(db), "--snapshot", "1", "--country", "BE", "--out", str(out)]) == 2


@pytest.mark.parametrize(("name", "filters", "by", "message"), [
    ("  ", Filters(), "ann", "a snapshot needs the meeting's name"),
    ("x" * 121, Filters(), "ann", "keep it to 120"),
    ("Meeting", Filters(countries=("XX",)), "ann", "unknown country 'XX'"),
    ("Meeting", Filters(), " ", "needs the name of who freezes it"),
])
def test_a_snapshot_that_cannot_be_made_changes_nothing(db: Path, tmp_path: Path, name: str, filters: Filters,
                                                        by: str, message: str) -> None:
    _communities(db, tmp_path, ["C1"], "first.csv")
    with pytest.raises(meetings.MeetingError, match=message):
        meetings.freeze(db, name, filters, AS_OF, by)
    with store.connect(db) as con:
        assert meetings.snapshots(con) == []


def test_a_snapshot_without_an_as_of_date_fixes_the_default_then(db: Path, tmp_path: Path) -> None:
    # the only data: communities established 2019-03-15, so the default as-of date is 2019-03-31 (the last
    # day of the latest month with data); it must not move when later files arrive
    _communities(db, tmp_path, ["C1"], "first.csv")
    snap = meetings.freeze(db, "Meeting", Filters(("FR",)), None, "ann")
    assert snap.as_of == dt.date(2019, 3, 31)
    assert snap.filters == Filters(("FR",))


def test_a_note_is_in_the_pack_escaped(db: Path, tmp_path: Path) -> None:
    _communities(db, tmp_path, ["C1", "C2", "C3"], "first.csv")
    at = dt.datetime(2020, 11, 19, 10, 0)
    note = meetings.add_note(db, "learning_communities", dt.date(2020, 6, 15), dt.date(2020, 3, 2), HOSTILE, "ann",
                             now=at)
    later = meetings.add_note(db, "learning_communities", dt.date(2022, 1, 1), dt.date(2022, 1, 1), "after", "bob")
    assert (note.start, note.end) == (dt.date(2020, 3, 1), dt.date(2020, 6, 1))  # months, the right way round
    assert note.line == f"2020-03 – 2020-06: {HOSTILE} (ann, 2020-11-19)"
    with store.connect(db) as con:
        assert [n.id for n in meetings.notes(con, "learning_communities")] == [note.id, later.id]
        pack = build_pack(con, "en", None, AS_OF)
    page = next(p for p in pack.indicators if p.id == "learning_communities")
    assert page.lines[-1] == f"Committee note, {note.line}"  # the note starting after the as-of date is left out
    assert not any("after" in line for line in page.lines)
    _, html_path = write_pack(pack, tmp_path / "out")
    html = html_path.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; schools closed" in html
    with pytest.raises(meetings.MeetingError, match="there is no indicator"):
        meetings.add_note(db, "nope", dt.date(2020, 1, 1), dt.date(2020, 1, 1), "x", "ann")
    with pytest.raises(meetings.MeetingError, match="needs a text"):
        meetings.add_note(db, "learning_communities", dt.date(2020, 1, 1), dt.date(2020, 1, 1), " ", "ann")
    assert meetings.remove_note(db, later.id) and not meetings.remove_note(db, later.id)


def test_the_status_history_at_every_quarter_end_and_for_a_viewer(db: Path, tmp_path: Path) -> None:
    _communities(db, tmp_path, ["C1", "C2", "C3"], "first.csv")
    _load(db, tmp_path, "startups", [valid("startups", entrepreneur_id=e) for e in ("E1", "E2", "E3")], "s.csv")
    ref = load_reference()
    with store.connect(db) as con:
        exact = timeline.quarterly(con, dt.date(2019, 6, 30))
        safe = timeline.quarterly(con, dt.date(2019, 6, 30), policy=suppress.of(ref))
    # quarter ends from the project start (2018-03-01) to 2019-06-30: 2018-03-31 ... 2019-06-30, six of them;
    # the communities and entrepreneurs (all dated 2019-03-15) count from 2019-03-31 on; before, no rows: no
    # value (-1 below)
    rows = exact[exact.indicator == "learning_communities"]
    assert [d.isoformat() for d in rows.quarter_end] == ["2018-03-31", "2018-06-30", "2018-09-30", "2018-12-31",
                                                         "2019-03-31", "2019-06-30"]
    assert rows.value.fillna(-1).tolist() == [-1, -1, -1, -1, 3, 3]
    assert rows.status.tolist()[:4] == ["no_data"] * 4
    assert safe[safe.indicator == "learning_communities"].value.fillna(-1).tolist() == [-1, -1, -1, -1, 3, 3]
    assert exact[exact.indicator == "new_entrepreneurs"].value.tolist()[-2:] == [3, 3]
    assert safe[safe.indicator == "new_entrepreneurs"].value.isna().tolist()[-2:] == [True, True]  # <5


def test_a_viewers_pack_has_the_suppressed_figures(db: Path, tmp_path: Path) -> None:
    _load(db, tmp_path, "startups", [valid("startups", entrepreneur_id=e) for e in ("E1", "E2", "E3")], "s.csv")
    policy = suppress.of(load_reference())
    with store.connect(db) as con:
        exact = build_pack(con, "en", None, AS_OF)
        safe = build_pack(con, "en", None, AS_OF, policy=policy)
    takeaway = {p.id: p.takeaway for p in safe.indicators}
    assert {p.id: p.takeaway for p in exact.indicators}["new_entrepreneurs"].startswith("3 of 50 entrepreneurs")
    assert takeaway["new_entrepreneurs"].startswith("<5 of 50 entrepreneurs")
    assert not any(row[1] == "3" for row in safe.summary_rows)
    assert any(n.startswith("Published figures: counts of 1 to 4 people shown as <5") for n in safe.notes)
