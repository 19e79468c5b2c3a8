"""Audit and time travel: retracting and restoring batches (chains included), the data as loaded on a past
moment (byte-identical figures), and comparing a batch with the one it replaced."""

from __future__ import annotations

import datetime as dt
import getpass
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from helpers import rows_from, valid

from siree_metrics import cli
from siree_metrics.i18n import using
from siree_metrics.ingest import audit, store

LC = "learning_communities"


def lc(**changes: object) -> dict[str, object]:
    return valid(LC, **changes)


def current(query) -> list[tuple]:
    """(community, setting, batch) of the current rows, in key order."""
    return query(f"select community_id, setting, batch_id from {LC} order by partner_id, community_id")


def replaced(query) -> list[tuple]:
    """(community, setting, batch, replaced_by) of the rows out of the figures."""
    return query(f"select community_id, setting, batch_id, replaced_by from {LC}_replaced "
                 "order by partner_id, community_id, batch_id")


def settings(query, which: str = "C001") -> list[tuple]:
    return query(f"select setting, batch_id from {LC} where community_id = $c", {"c": which})


@pytest.fixture
def chain(load, write_csv) -> None:
    """Batches 1, 2, 3 each send C001, in settings primary, secondary, adult: 2 replaced 1's row, 3 replaced 2's."""
    for i, setting in enumerate(["primary", "secondary", "adult"], start=1):
        assert load(LC, write_csv(rows_from([lc(setting=setting)]), name=f"v{i}.csv")).batch_id == i


def at(db: Path, **times: str) -> None:
    """Set when batches were loaded (``b1="2020-01-01 10:00:00"``) or acts logged (``e1=...``), so moments
    can be chosen by the test without waiting for the clock."""
    with store.connect(db, write=True) as con:
        for name, when in times.items():
            table, column, id_ = (("batches", "loaded_at", "batch_id") if name[0] == "b"
                                  else ("batch_log", "done_at", "entry"))
            con.execute(f"update {table} set {column} = $w where {id_} = $i", {"w": when, "i": int(name[1:])})


# -- retract and restore ----------------------------------------------------------------------------------


def test_retracting_a_correction_brings_back_the_rows_it_replaced(db, load, write_csv, query):
    load(LC, write_csv(rows_from([lc(), lc(community_id="C002")]), name="a.csv"))  # batch 1: C001, C002 primary
    load(LC, write_csv(rows_from([lc(community_id="C002", setting="secondary"), lc(community_id="C003")]),
                       name="b.csv"))  # batch 2: C002 secondary (replaces 1's), C003 new
    act = audit.retract(db, 2, by="admin", reason="wrong month sent")
    # out: 2's C002 and C003 (2 rows); back: 1's C002 (1 row)
    assert (act.action, act.rows_out, act.rows_back) == ("retracted", 2, 1)
    assert act.message == "batch 2 (b.csv, learning_communities) retracted: 2 rows taken out of the figures, 1 brought back"
    assert current(query) == [("C001", "primary", 1), ("C002", "primary", 1)]
    # 2's rows are kept, out of the figures: replaced_by NULL (their batch is retracted, nothing replaced them)
    assert replaced(query) == [("C002", "secondary", 2, None), ("C003", "primary", 2, None)]
    assert query("select batch_id, action, done_by, reason, rows_out, rows_back from batch_log") == [
        (2, "retracted", "admin", "wrong month sent", 2, 1)]
    assert query("select count(*) from batches") == [(2,)]  # nothing deleted

    act = audit.restore(db, 2, by="admin", reason="the month was right after all")
    assert (act.rows_out, act.rows_back) == (1, 2)  # 1's C002 out again; 2's two rows back
    assert current(query) == [("C001", "primary", 1), ("C002", "secondary", 2), ("C003", "primary", 2)]
    assert replaced(query) == [("C002", "primary", 1, 2)]  # as the load left it
    assert query("select entry, action from batch_log order by entry") == [(1, "retracted"), (2, "restored")]


def test_retracting_the_middle_of_a_chain_changes_nothing_now(db, chain, query):
    # 3 replaced 2's row: retracting 2 leaves 3's current, and 1's row stays out (3 replaced it too)
    act = audit.retract(db, 2, by="admin", reason="r")
    assert (act.rows_out, act.rows_back) == (0, 0)
    assert settings(query) == [("adult", 3)]
    # retracting 3 too: the newest batch that counts is 1 -> its row comes back
    act = audit.retract(db, 3, by="admin", reason="r")
    assert (act.rows_out, act.rows_back) == (1, 1)
    assert settings(query) == [("primary", 1)]
    # restoring 2: newer than 1 -> 2's row current, 1's out (replaced by 2)
    act = audit.restore(db, 2, by="admin", reason="r")
    assert (act.rows_out, act.rows_back) == (1, 1)
    assert settings(query) == [("secondary", 2)]
    assert replaced(query) == [("C001", "primary", 1, 2), ("C001", "adult", 3, None)]
    # restoring 3: as after the three loads
    audit.restore(db, 3, by="admin", reason="r")
    assert settings(query) == [("adult", 3)]
    assert sorted(replaced(query)) == [("C001", "primary", 1, 2), ("C001", "secondary", 2, 3)]


def test_retracting_the_end_of_a_chain_brings_back_the_one_before(db, chain, query):
    audit.retract(db, 3, by="admin", reason="r")
    assert settings(query) == [("secondary", 2)]  # 2 is the newest that counts, not 1
    audit.retract(db, 2, by="admin", reason="r")
    assert settings(query) == [("primary", 1)]
    audit.retract(db, 1, by="admin", reason="r")
    assert settings(query) == []  # no batch that counts holds C001
    assert query(f"select count(*) from {LC}_replaced") == [(3,)]  # all three kept


def test_a_load_while_a_batch_is_retracted_and_its_restoration(db, load, write_csv, query):
    load(LC, write_csv(rows_from([lc()]), name="v1.csv"))  # 1: primary
    load(LC, write_csv(rows_from([lc(setting="secondary")]), name="v2.csv"))  # 2: secondary, replaces 1
    audit.retract(db, 2, by="admin", reason="r")  # 1's row back
    load(LC, write_csv(rows_from([lc(setting="adult")]), name="v3.csv"))  # 3 replaces 1's row (2's is out)
    assert settings(query) == [("adult", 3)]
    act = audit.restore(db, 2, by="admin", reason="r")  # 3 is newer: 2's row stays out
    assert (act.rows_out, act.rows_back) == (0, 0)
    assert settings(query) == [("adult", 3)]
    audit.retract(db, 3, by="admin", reason="r")  # 2 (restored) is now the newest that counts, not 1
    assert settings(query) == [("secondary", 2)]


def test_retraction_touches_only_the_keys_of_its_batch_and_that_partners_rows(db, load, write_csv, query):
    load(LC, write_csv(rows_from([lc(), lc(community_id="C002"), lc(partner_id="UOG", region="UKJ41")]),
                       name="a.csv"))  # 1: ADICE C001, C002; UOG C001
    load(LC, write_csv(rows_from([lc(setting="adult")]), name="b.csv"))  # 2: ADICE C001 only
    audit.retract(db, 2, by="admin", reason="r")
    assert query(f"select partner_id, community_id, setting, batch_id from {LC} order by 1, 2") == [
        ("ADICE", "C001", "primary", 1), ("ADICE", "C002", "primary", 1), ("UOG", "C001", "primary", 1)]


@pytest.mark.parametrize(("act", "batch", "reason", "message"), [
    (audit.retract, 9, "r", "there is no batch 9"),
    (audit.restore, 1, "r", r"batch 1 \(v1.csv\) is not retracted: there is nothing to restore"),
    (audit.retract, 1, "  ", "a retraction needs a reason"),
])
def test_an_act_that_cannot_be_done_changes_nothing(db, chain, table_counts, query, act, batch, reason, message):
    before = table_counts()
    with pytest.raises(audit.AuditError, match=message):
        act(db, batch, by="admin", reason=reason)
    assert table_counts() == before


def test_retracting_twice_is_refused(db, chain, query):
    audit.retract(db, 3, by="admin", reason="r")
    with pytest.raises(audit.AuditError, match="batch 3 .v3.csv. is already retracted"):
        audit.retract(db, 3, by="admin", reason="again")
    assert query("select count(*) from batch_log") == [(1,)]


def test_listing_batches_with_their_state_and_the_log(db, chain):
    audit.retract(db, 2, by="ana", reason="sent twice")
    with store.connect(db) as con:
        listed = audit.batches(con)
        logged = audit.log(con)
    assert listed[["batch_id", "state", "partners"]].values.tolist() == [
        [3, "current", "ADICE"], [2, "retracted", "ADICE"], [1, "current", "ADICE"]]
    assert logged[["batch_id", "action", "done_by", "reason", "file_name"]].values.tolist() == [
        [2, "retracted", "ana", "sent twice", "v2.csv"]]


# -- as loaded on -------------------------------------------------------------------------------------------


def test_parse_moment() -> None:
    assert audit.parse_moment("2021-03-01") == dt.datetime(2021, 3, 1, 23, 59, 59)  # the whole day
    assert audit.parse_moment("2021-03-01T14:05") == dt.datetime(2021, 3, 1, 14, 5)
    assert audit.parse_moment(" 2021-03-01 14:05:07.9 ") == dt.datetime(2021, 3, 1, 14, 5, 7)
    for bad in ("2021-13-01", "01/03/2021", "2021-03-01 25:00", "now", "2021-03-01; drop table batches"):
        with pytest.raises(ValueError, match="is not a moment; write YYYY-MM-DD"):
            audit.parse_moment(bad)


def test_the_tables_as_they_stood_at_each_moment(db, chain, query):
    # loads at 10:00, 11:00, 12:00; 3 retracted at 13:00, 2 retracted at 14:00, 3 restored at 15:00
    audit.retract(db, 3, by="admin", reason="r")
    audit.retract(db, 2, by="admin", reason="r")
    audit.restore(db, 3, by="admin", reason="r")
    at(db, b1="2021-03-01 10:00:00", b2="2021-03-01 11:00:00", b3="2021-03-01 12:00:00",
       e1="2021-03-01 13:00:00", e2="2021-03-01 14:00:00", e3="2021-03-01 15:00:00")
    expected = {  # moment -> (C001's current (setting, batch), batches listed, log entries)
        "2021-03-01 09:59:59": ([], 0, 0),  # before the first load: empty
        "2021-03-01 10:00:00": ([("primary", 1)], 1, 0),  # the moment of a load includes it (to the second)
        "2021-03-01 11:30:00": ([("secondary", 2)], 2, 0),
        "2021-03-01 12:00:00": ([("adult", 3)], 3, 0),
        "2021-03-01 13:00:00": ([("secondary", 2)], 3, 1),  # 3 retracted: 2's back
        "2021-03-01 14:00:00": ([("primary", 1)], 3, 2),  # 2 retracted too: 1's back
        "2021-03-01 15:00:00": ([("adult", 3)], 3, 3),  # 3 restored: as now
        "2021-03-01": ([("adult", 3)], 3, 3),  # the end of the day
    }
    for moment, (rows, batches, entries) in expected.items():
        with audit.connect_as_loaded_on(db, audit.parse_moment(moment)) as con:
            # a fresh cursor (as series.py and the dashboard's reader use) sees the same
            assert con.cursor().execute(f"select setting, batch_id from {LC}").fetchall() == rows, moment
            assert con.execute("select count(*) from batches").fetchone()[0] == batches, moment
            assert con.execute("select count(*) from batch_log").fetchone()[0] == entries, moment
            kept = con.execute(f"select count(*) from {LC}_replaced").fetchone()[0]
            assert kept == batches - len(rows), moment  # every row of the batches loaded by then, once
    assert settings(query) == [("adult", 3)]  # the database itself is untouched


def test_rows_replaced_after_the_moment_are_back(db, load, write_csv):
    load(LC, write_csv(rows_from([lc(), lc(community_id="C002")]), name="a.csv"))
    load(LC, write_csv(rows_from([lc(community_id="C002", setting="adult")]), name="b.csv"))
    at(db, b1="2021-01-01 10:00:00", b2="2021-02-01 10:00:00")
    with audit.connect_as_loaded_on(db, dt.datetime(2021, 1, 15)) as con:
        assert con.execute(f"select community_id, setting from {LC} order by 1").fetchall() == [
            ("C001", "primary"), ("C002", "primary")]
        assert con.execute(f"select count(*) from {LC}_replaced").fetchone()[0] == 0


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        status = cli.main(list(args))
    return status, out.getvalue()


def test_a_summary_shown_at_a_meeting_is_reproduced_byte_for_byte(db, load, write_csv, tmp_path):
    first = [lc(community_id=f"C{i:03}", established_on="2019-03-15") for i in range(1, 5)]
    load(LC, write_csv(rows_from(first), name="march.csv"))  # batch 1: four communities
    startups = [valid("startups", entrepreneur_id=f"E{i}", jobs_created="2") for i in range(1, 4)]
    load("startups", write_csv(rows_from(startups), name="startups.csv"))  # batch 2: three start-ups
    at(db, b1="2021-03-01 10:00:00", b2="2021-03-01 10:00:00")
    summary = ["summary", "--db", str(db), "--as-of", "2020-12-31", "--format", "json"]
    exported = tmp_path / "then.csv"
    assert _cli("export", "--db", str(db), "--dataset", LC, "--out", str(exported))[0] == 0
    status, shown = _cli(*summary)  # what the meeting saw
    assert status == 0
    # later: a correction (C004 was established in 2021, after the as-of date) and a retraction
    load(LC, write_csv(rows_from([lc(community_id="C004", established_on="2021-02-01")]), name="fix.csv"))
    audit.retract(db, 2, by="admin", reason="start-ups sent for the wrong partner")
    now = _cli(*summary)[1]
    values = {i["id"]: i["value"] for i in json.loads(now)["indicators"]}
    assert values[LC] == 3  # C001-C003 by 2020-12-31 (C004 now dated 2021): the figures did change
    assert values[LC] != {i["id"]: i["value"] for i in json.loads(shown)["indicators"]}[LC]
    for moment in ("2021-03-01 10:00:00", "2021-03-01T10:00", "2021-03-01"):
        status, again = _cli(*summary, "--as-loaded-on", moment)
        assert status == 0
        assert again == shown, moment
    again_csv = tmp_path / "again.csv"
    assert _cli("export", "--db", str(db), "--dataset", LC, "--out", str(again_csv),
                "--as-loaded-on", "2021-03-01 10:00:00")[0] == 0
    assert again_csv.read_bytes() == exported.read_bytes()


def test_retract_and_restore_from_the_command_line(db, chain, query, capsys):
    assert cli.main(["retract", "--db", str(db), "--batch", "2", "--reason", "duplicate", "--by", "ana"]) == 0
    assert "batch 2 (v2.csv, learning_communities) retracted" in capsys.readouterr().out
    assert cli.main(["retract", "--db", str(db), "--batch", "2", "--reason", "again"]) == 2
    assert "error: batch 2 (v2.csv) is already retracted" in capsys.readouterr().err
    assert cli.main(["restore-batch", "--db", str(db), "--batch", "2", "--reason", "not a duplicate"]) == 0
    assert query("select action, done_by from batch_log order by entry") == [
        ("retracted", "ana"), ("restored", f"command line: {getpass.getuser()}")]
    assert cli.main(["summary", "--db", str(db), "--as-loaded-on", "yesterday"]) == 2
    assert "'yesterday' is not a moment" in capsys.readouterr().err
    assert cli.main(["retract", "--db", str(db.with_name("none.duckdb")), "--batch", "1", "--reason", "r"]) == 2



def test_loading_a_retracted_file_again_says_how_to_bring_it_back(db, load, write_csv, query, capsys):
    """A byte-identical file is not stored twice; when its batch was retracted, "already loaded" would let
    the partner believe its rows count. The load says they do not, and how an admin restores them; the
    command line counts it as not loaded (exit 1)."""
    path = write_csv(rows_from([lc()]), name="v1.csv")
    assert load(LC, path).status == "loaded"
    audit.retract(db, 1, by="admin", reason="sent twice")
    at(db, b1="2020-11-02 09:30:00", e1="2020-11-03 10:15:00")
    again = load(LC, path)
    assert (again.status, again.batch_id) == ("retracted", 1)
    assert again.message == (
        "loaded before as batch 1 (v1.csv) on 2 Nov 2020 09:30 and retracted on 3 Nov 2020 10:15 (sent twice); "
        "nothing changed: a byte-identical file is not stored twice. To count its rows again, an admin restores "
        "batch 1 (Data page, 'Corrections and history', or python -m siree_metrics restore-batch --batch 1)")
    assert current(query) == [] and query("select count(*) from batches") == [(1,)]
    assert cli.main(["load", "--db", str(db), "--dataset", LC, str(path)]) == 1
    assert "retracted on 3 Nov 2020 10:15 (sent twice)" in capsys.readouterr().err
    audit.restore(db, 1, by="admin", reason="not sent twice after all")
    assert load(LC, path).status == "already_loaded"  # restored: it counts again, and the load says so
    assert current(query) == [("C001", "primary", 1)]


# -- what a batch changed -------------------------------------------------------------------------------------


def test_a_batch_compared_with_the_one_it_replaced(db, load, write_csv):
    load(LC, write_csv(rows_from([lc(), lc(community_id="C002"), lc(community_id="C003"),
                                  lc(partner_id="UOG", region="UKJ41", community_id="U1")]), name="a.csv"))
    load(LC, write_csv(rows_from([lc(community_id="X9")]), name="other.csv"))  # 2: shares no key with 3
    # 3: C001 changed (setting, date as 15/04/2019), C002 the same, C003 gone, C004 added; ADICE only
    load(LC, write_csv(rows_from([lc(setting="Secondary", established_on="15/04/2019"), lc(community_id="C002"),
                                  lc(community_id="C004")]), name="b.csv"))
    with store.connect(db) as con:
        assert audit.replaced_batch(con, 3) == 1  # shares C001 and C002 with batch 1, nothing with 2
        c = audit.compare(con, 3)
        assert (c.dataset, c.batch, c.against, c.unchanged) == (LC, 3, 1, 1)  # C002
        assert c.added[["row", "community_id"]].values.tolist() == [[4, "C004"]]  # row 4 of b.csv
        # UOG's U1 is not "gone": batch 3 holds no UOG rows
        assert c.gone[["row", "community_id", "setting"]].values.tolist() == [[4, "C003", "primary"]]
        # cells as sent: 'Secondary' and '15/04/2019' as b.csv has them
        assert c.changed[["row", "community_id", "column", "old", "new"]].values.tolist() == [
            [2, "C001", "established_on", "2019-03-15", "15/04/2019"],
            [2, "C001", "setting", "primary", "Secondary"]]
        # a partner sees only its own rows: UOG has none in batch 3
        mine = audit.compare(con, 3, partner="UOG")
        assert (mine.against, len(mine.added), len(mine.changed), len(mine.gone)) == (None, 0, 0, 0)
        first = audit.compare(con, 1)  # nothing before it: every row added
        assert (first.against, len(first.added), len(first.gone)) == (None, 4, 0)
        with pytest.raises(audit.AuditError, match="there is no batch 7"):
            audit.compare(con, 7)


# -- the pages: as_loaded_on in the link, and the Data page's corrections --------------------------------------


@pytest.fixture
def site(db, load, write_csv, monkeypatch) -> Path:
    """Batch 1 (ADICE C001, C002) at 10:00, batch 2 (ADICE C002 corrected) at 11:00, batch 3 (UOG U1) at 12:00."""
    load(LC, write_csv(rows_from([lc(), lc(community_id="C002")]), name="a.csv"), loaded_by="ann")
    load(LC, write_csv(rows_from([lc(community_id="C002", setting="adult")]), name="b.csv"), loaded_by="ann")
    load(LC, write_csv(rows_from([lc(partner_id="UOG", region="UKJ41", community_id="U1")]), name="u.csv"))
    at(db, b1="2021-03-01 10:00:00", b2="2021-03-01 11:00:00", b3="2021-03-01 12:00:00")
    monkeypatch.setenv("SIREE_DB", str(db))
    return db


def open_data_page(user: object = None, **query: str):
    from helpers import ROOT
    from streamlit.testing.v1 import AppTest

    from ui import auth

    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for k, v in query.items():
        app.query_params[k] = v
    if user is not None:
        app.session_state[auth.USER] = (user, dt.datetime.now())
    app.switch_page("pages/6_Data.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _batches_shown(app) -> list[int]:
    tables = [d.value for d in app.dataframe if "partners" in d.value.columns]
    return tables[0]["batch_id"].tolist() if tables else []


def test_a_page_as_loaded_on_a_past_moment(site):
    from siree_metrics.accounts import User

    app = open_data_page(User("boss", "admin"), as_loaded_on="2021-03-01T11:30")
    assert any("Data as loaded on 2021-03-01 11:30:00" in i.value for i in app.info)
    assert _batches_shown(app) == [2, 1]  # batch 3 was loaded at 12:00, after the moment
    assert app.query_params["as_loaded_on"] == "2021-03-01T11:30:00"  # kept in the link
    now = open_data_page(User("boss", "admin"))
    assert _batches_shown(now) == [3, 2, 1]
    assert not any("Data as loaded on" in i.value for i in now.info)


@pytest.mark.parametrize(("value", "notice"), [
    ("2021-02-30", "as_loaded_on '2021-02-30' in the link is not a moment"),
    ("<img src=x>", "as_loaded_on '·img src·x·' in the link is not a moment"),
    ("2999-01-01", "as_loaded_on 2999-01-01 23:59:59 is not in the past: showing the data as they are now"),
    ("2020-01-01", "is before the first file was loaded: showing the data as loaded on 2021-03-01 10:00:00"),
])
def test_a_moment_a_link_cannot_have_is_said(site, value, notice):
    app = open_data_page(as_loaded_on=value)
    assert any(notice in w.value for w in app.warning), [w.value for w in app.warning]


def test_an_admin_retracts_and_restores_on_the_data_page(site, query):
    from siree_metrics.accounts import User

    boss = User("boss", "admin")
    app = open_data_page(boss)
    app.selectbox(key="corrections_batch").set_value(2)
    app.text_input(key="corrections_reason").input("sent by mistake").run()
    app.button(key="corrections_go").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("batch 2" in s.value and "retracted" in s.value for s in app.success)
    assert query("select batch_id, action, done_by, reason from batch_log") == [(2, "retracted", "boss",
                                                                                "sent by mistake")]
    assert settings(query, "C002") == [("primary", 1)]
    app.radio(key="corrections_action").set_value(audit.RESTORED).run()
    assert app.selectbox(key="corrections_batch").options == [_option(app, 2)]  # only the retracted one
    app.text_input(key="corrections_reason").input("it was right").run()
    app.button(key="corrections_go").click().run()
    assert settings(query, "C002") == [("adult", 2)]


def test_the_corrections_read_in_the_readers_language(site, query):
    """Whoever retracted a file, a French admin reads the act, its log and the files' states in French."""
    from siree_metrics.accounts import User

    act = audit.retract(site, 2, by="boss", reason="sent by mistake")
    with using("fr"):
        assert act.message == "lot 2 (b.csv, learning_communities) retiré : 1 ligne retirée des chiffres, 1 réintégrée(s)"
    app = open_data_page(User("boss", "admin"), lang="fr")  # (AppTest cannot set a widget of a translated page)
    files, log = app.dataframe[1].value, app.dataframe[2].value
    assert sorted(files["state"]) == ["actuel", "actuel", "retiré"]
    assert set(files["dataset"]) == {"Communautés d'apprentissage (learning_communities)"}
    assert list(log["action"]) == ["retiré"]
    assert query("select action from batch_log") == [("retracted",)]  # the log itself keeps the act's name


def test_an_act_that_cannot_be_done_says_so_in_the_readers_language(db, chain, capsys):
    assert cli.main(["retract", "--db", str(db), "--batch", "9", "--reason", "r", "--lang", "nl"]) == 2
    assert "er is geen batch 9; de pagina Gegevens toont de geladen bestanden met hun batch" in capsys.readouterr().err


def _option(app, batch: int) -> str:
    return next(o for o in app.selectbox(key="corrections_batch").options if o.startswith(f"{batch} · "))


def test_a_partner_compares_its_own_files_and_a_viewer_sees_none(site):
    from siree_metrics.accounts import User

    app = open_data_page(User("ann", "partner", "ADICE"))
    assert _batches_shown(app) == [2, 1]  # not UOG's batch 3
    assert not [b for b in app.button if b.key == "corrections_go"]  # no retracting for a partner
    app.selectbox(key="corrections_compare").set_value(2).run()
    changed = next(d.value for d in app.dataframe if "old" in d.value.columns)
    assert changed[["community_id", "column", "old", "new"]].values.tolist() == [["C002", "setting", "primary", "adult"]]
    viewer = open_data_page()
    assert _batches_shown(viewer) == []
    assert any("Log in as a partner or an admin" in i.value for i in viewer.info)
