"""The database: batches, byte-identical reloads, corrections, refusals, concurrency and killed loads."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from helpers import TODAY, csv_bytes, rows_from, subprocess_env, valid

from siree_metrics.i18n import read_kept
from siree_metrics.ingest import store
from siree_metrics.ingest.contract import load_contract
from siree_metrics.ingest.load import load_file
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import summarize


def lc(**changes: object) -> dict[str, object]:
    return valid("learning_communities", **changes)


# -- batches, reloads and corrections ---------------------------------------------------------------------

def test_byte_identical_reload_changes_nothing(load, write_csv, write_bytes, table_counts, query):
    path = write_csv(rows_from([lc(), lc(community_id="C002")]), name="march.csv")
    first = load("learning_communities", path)
    assert (first.status, first.batch_id, first.rows) == ("loaded", 1, 2)
    before = table_counts()
    loaded_at = query("select loaded_at from batches")
    again = load("learning_communities", path)
    assert again.status == "already_loaded"
    assert again.batch_id == 1
    assert "nothing changed" in again.message
    renamed = load("learning_communities", write_bytes(path.read_bytes(), "march (copy).csv"))
    assert renamed.status == "already_loaded"  # byte-identical is about the content, not the name
    assert table_counts() == before
    assert query("select loaded_at from batches") == loaded_at
    assert query("select file_name, rows, replaced_rows from batches") == [("march.csv", 2, 0)]


def test_batch_records_file_sha256_rows_and_format(load, write_csv, query):
    import hashlib

    path = write_csv(rows_from([lc()]), name="b.csv", delimiter=";")
    load("learning_communities", path, loaded_by="tester")
    [(dataset, name, sha, rows, by, fmt)] = query(
        "select dataset, file_name, sha256, rows, loaded_by, file_format from batches")
    assert (dataset, name, rows, by) == ("learning_communities", "b.csv", 1, "tester")
    assert sha == hashlib.sha256(path.read_bytes()).hexdigest()
    assert read_kept(fmt, "en") == "CSV, UTF-8, semicolon-separated"  # kept in every language


def test_correction_replaces_and_keeps_the_old_row_for_audit(load, write_csv, query):
    assert load("learning_communities", write_csv(rows_from([lc(), lc(community_id="C002")]), name="a.csv")).status \
        == "loaded"
    corrected = load("learning_communities", write_csv(rows_from([lc(setting="Secondary")]), name="b.csv"))
    assert (corrected.status, corrected.replaced) == ("loaded", 1)
    assert query("select community_id, setting, batch_id from learning_communities order by community_id") == [
        ("C001", "secondary", 2), ("C002", "primary", 1)]
    assert query("select community_id, setting, batch_id, replaced_by from learning_communities_replaced") == [
        ("C001", "primary", 1, 2)]
    assert query("select batch_id, replaced_rows from batches order by batch_id") == [(1, 0), (2, 1)]


def test_same_identifier_of_another_partner_is_not_a_correction(load, write_csv, query):
    load("learning_communities", write_csv(rows_from([lc()]), name="a.csv"))
    result = load("learning_communities", write_csv(rows_from([lc(partner_id="UOG", region="UKJ41")]), name="b.csv"))
    assert result.replaced == 0
    assert query("select partner_id, community_id from learning_communities order by 1") == [
        ("ADICE", "C001"), ("UOG", "C001")]
    assert query("select count(*) from learning_communities_replaced") == [(0,)]


def test_correction_matches_the_key_value_not_its_spelling(load, write_csv, query, export):
    first = valid("school_attendance", month="2019-03", children_attending="10")
    load("school_attendance", write_csv(rows_from([first]), name="a.csv"))
    second = valid("school_attendance", month="03/2019", partner_id="mechelen", children_attending="12")
    assert load("school_attendance", write_csv(rows_from([second]), name="b.csv")).replaced == 1
    assert query("select month, children_attending from school_attendance") == [(dt.date(2019, 3, 1), 12)]
    assert [(r["month"], r["partner_id"]) for r in export("school_attendance")] == [("03/2019", "mechelen")]


def test_results_use_the_newest_version_of_each_key(load, write_csv, db):
    load("startups", write_csv(rows_from([valid("startups", jobs_created="2")]), name="a.csv"))
    load("startups", write_csv(rows_from([valid("startups", jobs_created="5")]), name="b.csv"))
    with store.connect(db) as con:
        s = summarize(con, TODAY, Filters())
    by_id = {r.id: r for r in s.indicators}
    assert by_id["jobs_created"].value == 5
    assert by_id["new_entrepreneurs"].value == 1


def test_database_with_a_raw_column_per_cell_is_brought_up_to_date(load, write_csv, db, query, export):
    """Databases made before the raw text moved into one column had raw_<column> columns: the export (or any
    load) moves their text over, and the export and later corrections work as before."""
    assert load("learning_communities", write_csv(rows_from([lc(established_on="15/03/2019")]), name="a.csv")
                ).status == "loaded"
    with store.connect(db, write=True) as con:  # put the table back in the old layout
        for table in ("learning_communities", "learning_communities_replaced"):
            con.execute(f"ALTER TABLE {table} ADD COLUMN raw_established_on VARCHAR")
            con.execute(f"ALTER TABLE {table} ADD COLUMN raw_setting VARCHAR")
            con.execute(f"UPDATE {table} SET raw_established_on = raw ->> '$.established_on'")
            con.execute(f"ALTER TABLE {table} DROP COLUMN raw")
        con.execute("DELETE FROM meta WHERE key = 'schema_version'")  # earlier versions recorded none
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select raw_established_on from learning_communities").fetchall() == [("15/03/2019",)]
    assert [r["established_on"] for r in export("learning_communities")] == ["15/03/2019"]  # export upgrades
    assert query("select raw from learning_communities") == [('{"established_on":"15/03/2019"}',)]
    assert not [c for (c,) in query("select column_name from duckdb_columns() where column_name like 'raw_%'")]
    corrected = load("learning_communities", write_csv(rows_from([lc(setting="Secondary")]), name="b.csv"))
    assert corrected.replaced == 1
    assert query("select raw ->> '$.established_on', replaced_by from learning_communities_replaced") == [
        ("15/03/2019", 2)]


def test_refused_file_changes_nothing(load, write_csv, table_counts, query):
    load("learning_communities", write_csv(rows_from([lc()]), name="a.csv"))
    before = table_counts()
    bad = load("learning_communities", write_csv(rows_from([lc(setting="Secondary"), lc(community_id="C9"),
                                                            lc(community_id="C10", established_on="2030-01-01")]),
                                                 name="b.csv"))
    assert bad.status == "refused"
    assert bad.message == "refused: nothing was loaded"
    assert table_counts() == before
    assert query("select community_id, setting from learning_communities") == [("C001", "primary")]


# -- several processes -------------------------------------------------------------------------------------

def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "siree_metrics", *args]


def test_two_loads_at_the_same_moment_both_succeed(db, tmp_path, query):
    files = []
    for i in range(2):
        path = tmp_path / f"p{i}.csv"
        path.write_bytes(csv_bytes(rows_from([lc(community_id=f"P{i}-{n}") for n in range(200)])))
        files.append(path)
    procs = [subprocess.Popen(_cli("load", "--db", str(db), "--dataset", "learning_communities", str(f)),
                              env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for f in files]
    outcomes = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outcomes
    assert not any("locked" in err.lower() for _, err in outcomes)
    assert query("select count(*), count(distinct batch_id) from learning_communities") == [(400, 2)]
    assert query("select count(*) from batches") == [(2,)]


def test_the_same_file_loaded_twice_at_the_same_moment_is_stored_once(db, tmp_path, query):
    path = tmp_path / "same.csv"
    path.write_bytes(csv_bytes(rows_from([lc(community_id=f"S{n}") for n in range(200)])))
    procs = [subprocess.Popen(_cli("load", "--db", str(db), "--dataset", "learning_communities", str(path)),
                              env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outcomes = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outcomes
    messages = sorted(out.split(": ", 1)[1][:14] for out, _ in outcomes)
    assert messages == ["already loaded", "loaded 200 row"]
    assert query("select count(*) from batches") == [(1,)]
    assert query("select count(*) from learning_communities") == [(200,)]


# Each reader opens the database, says "ready", and holds it until the test writes a line to its stdin.
READERS = {
    "store.connect": "from siree_metrics.ingest import store\n"
                     "with store.connect(Path(sys.argv[1])) as con:\n"
                     "    con.execute('select count(*) from batches').fetchone()\n"
                     "    print('ready', flush=True); sys.stdin.readline()\n",
    "plain duckdb": "import duckdb\n"
                    "con = duckdb.connect(sys.argv[1], read_only=True)\n"
                    "print('ready', flush=True); sys.stdin.readline(); con.close()\n",
}


@pytest.mark.parametrize("reader", list(READERS))
def test_load_waits_for_a_reader_then_succeeds(db, write_csv, load, query, reader):
    load("learning_communities", write_csv(rows_from([lc()]), name="first.csv"))
    second = write_csv(rows_from([lc(community_id="C2")]), name="second.csv")
    code = "import sys\nfrom pathlib import Path\n" + READERS[reader]
    proc = subprocess.Popen([sys.executable, "-c", code, str(db)], env=subprocess_env(), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    waited = threading.Event()
    outcome: dict[str, object] = {}

    def run_load() -> None:
        outcome["result"] = load("learning_communities", second, on_wait=waited.set)
        outcome["done_at"] = time.monotonic()

    try:
        assert proc.stdout.readline().strip() == "ready"
        loader = threading.Thread(target=run_load)
        loader.start()
        if reader == "store.connect":  # our own readers take the lock: the load says it is waiting
            assert waited.wait(timeout=30), "on_wait should tell the user that the load is waiting"
        else:  # a reader outside our locking: the load retries until DuckDB lets it write
            time.sleep(1.0)
        assert loader.is_alive(), "the load should still be waiting while the reader holds the database"
        released_at = time.monotonic()
        proc.stdin.write("\n")
        proc.stdin.flush()
        loader.join(timeout=60)
    finally:
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    result = outcome["result"]
    assert result.status == "loaded", result.report()
    assert outcome["done_at"] >= released_at
    assert query("select count(*) from learning_communities") == [(2,)]


# -- a load killed half-way ----------------------------------------------------------------------------------

BIG_ROWS = 300_000


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    """A valid school_attendance file of 300k rows (10,000 schools x 30 months)."""
    months = [f"{y}-{m:02d}" for y in (2018, 2019, 2020) for m in range(1, 13)][:30]
    lines = ["partner_id,region,school_id,month,children_enrolled,children_attending"]
    lines += [f"ADICE,FRE11,S{s:05d},{mo},20,15" for s in range(BIG_ROWS // 30) for mo in months]
    path = tmp_path_factory.mktemp("big") / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _state(db: Path) -> dict[str, object]:
    with store.connect(db) as con:
        return {
            "batches": con.execute("select batch_id, dataset, rows from batches order by 1").fetchall(),
            "school_attendance": con.execute("select count(*), count(distinct batch_id) from school_attendance"
                                             ).fetchone(),
            "learning_communities": con.execute("select count(*) from learning_communities").fetchone(),
        }


def _writer_holds_lock(db: Path) -> bool:
    """True while some process holds the database's lock file exclusively (a load in its write phase)."""
    fd = os.open(str(db) + ".lock", os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def _seeded(db: Path, tmp_path: Path) -> dict[str, object]:
    seed = tmp_path / "seed.csv"
    seed.write_bytes(csv_bytes(rows_from([valid("school_attendance"), valid("school_attendance", school_id="X")])))
    assert load_file(db, "school_attendance", seed, today=TODAY).status == "loaded"
    return _state(db)


def _assert_before_or_fully_loaded(db: Path, before: dict[str, object], tmp_path: Path) -> None:
    after = _state(db)  # the database still opens
    if after != before:
        assert after["batches"] == [*before["batches"], (len(before["batches"]) + 1, "school_attendance", BIG_ROWS)]
        assert after["school_attendance"] == (before["school_attendance"][0] + BIG_ROWS, 2)
        assert after["learning_communities"] == before["learning_communities"]
    # and it still takes a load
    extra = tmp_path / "after.csv"
    extra.write_bytes(csv_bytes(rows_from([lc(community_id="AFTER")])))
    assert load_file(db, "learning_communities", extra, today=TODAY).status == "loaded"


def _start_big_load(db: Path, big_csv: Path) -> subprocess.Popen:
    return subprocess.Popen(_cli("load", "--db", str(db), "--dataset", "school_attendance", str(big_csv)),
                            env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_load_killed_early_leaves_the_database_as_before(db, tmp_path, big_csv):
    before = _seeded(db, tmp_path)
    proc = _start_big_load(db, big_csv)
    time.sleep(0.4)
    assert proc.poll() is None, "the load finished before it could be killed; use a bigger file"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    _assert_before_or_fully_loaded(db, before, tmp_path)


def test_load_killed_while_writing_leaves_the_database_whole(db, tmp_path, big_csv):
    """Killed while it holds the database for writing: nothing half-written, for our reader and a plain one."""
    before = _seeded(db, tmp_path)
    proc = _start_big_load(db, big_csv)
    deadline = time.monotonic() + 60
    while not _writer_holds_lock(db):
        assert proc.poll() is None, "the load ended before its write phase was seen"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    time.sleep(0.1)
    killed_mid_write = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    con = duckdb.connect(str(db), read_only=True)  # the dashboard's kind of connection, right after the kill
    try:
        n = con.execute("select count(*) from school_attendance").fetchone()[0]
    finally:
        con.close()
    assert n in (before["school_attendance"][0], before["school_attendance"][0] + BIG_ROWS)
    _assert_before_or_fully_loaded(db, before, tmp_path)
    if not killed_mid_write:
        pytest.skip("the write finished before the kill; nothing half-way to check")


def test_new_database_is_empty(db):
    with store.connect(db) as con:
        tables = [r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()]
        assert "batches" in tables and "learning_communities_replaced" in tables
        assert all(con.execute(f'select count(*) from "{t}"').fetchone()[0] == 0 for t in tables if t != "meta")
        # meta holds only the contract the tables follow
        assert con.execute("select * from meta").fetchall() == [
            ("schema_version", store.schema_version(load_contract()))]


def test_default_database_follows_siree_db(monkeypatch, tmp_path):
    monkeypatch.setenv("SIREE_DB", str(tmp_path / "elsewhere.duckdb"))
    assert store.default_db() == tmp_path / "elsewhere.duckdb"
    monkeypatch.delenv("SIREE_DB")
    assert store.default_db().name == "siree.duckdb" and store.default_db().parent.name == "data"


def test_loaded_at_is_a_recent_timestamp(load, write_csv, query):
    load("learning_communities", write_csv(rows_from([lc()])))
    [(loaded_at,)] = query("select loaded_at from batches")
    assert isinstance(loaded_at, dt.datetime)
    assert abs((loaded_at - dt.datetime.now()).total_seconds()) < 24 * 3600


# -- the demo label: what the database holds ---------------------------------------------------------------


def _demo_state(db: Path) -> str | None:
    with store.connect(db) as con:
        return store.demo_state(con)


def _set_meta(db: Path, **values: str) -> None:
    with store.connect(db, write=True) as con:
        for key, value in values.items():
            store.set_meta(con, key, value)


def test_demo_state_follows_the_batches(load, write_csv, db):
    first = write_csv(rows_from([lc()]), name="one.csv")
    assert load("learning_communities", first, loaded_by="demo").batch_id == 1
    assert _demo_state(db) is None  # no demo build recorded: a real database
    _set_meta(db, demo_build="in_progress")
    assert _demo_state(db) == "building"  # started, not finished: labelled demo, finished at the next start
    _set_meta(db, demo_batches="1", demo_build="complete")
    assert _demo_state(db) == "demo"  # every batch (just batch 1) is the demo's
    second = write_csv(rows_from([lc(community_id="REAL-1")]), name="partner.csv")
    assert load("learning_communities", second, loaded_by="a partner").batch_id == 2
    assert _demo_state(db) == "mixed"  # batch 2 is not in the demo's list: no longer "DEMO DATA"


def test_demo_state_of_a_database_from_before_builds_were_recorded(load, write_csv, db):
    load("learning_communities", write_csv(rows_from([lc()]), name="one.csv"), loaded_by="demo")
    _set_meta(db, kind="demo")  # what earlier versions wrote
    assert _demo_state(db) == "demo"  # its one batch was loaded by "demo"
    load("learning_communities", write_csv(rows_from([lc(community_id="X")]), name="two.csv"), loaded_by="ann")
    assert _demo_state(db) == "mixed"


# -- jobs: counted from the date they were reported ------------------------------------------------------------


def _jobs(db: Path, as_of: str) -> tuple[float, int]:
    from siree_metrics.metrics.levels import level_as_of
    from siree_metrics.reference import load_reference

    with store.connect(db) as con:
        return level_as_of(con, load_reference().indicator("jobs_created"), dt.date.fromisoformat(as_of), Filters())


def su(**changes: object) -> dict[str, object]:
    return valid("startups", **changes)


def test_jobs_count_from_the_date_they_were_reported(load, write_csv, db):
    rows = [
        # E001 registers in March 2019 working alone, reports 2 jobs in 2020-01 and 3 in 2021-02.
        su(entrepreneur_id="E001", registered_on="2019-03-15", jobs_created="0", jobs_reported_on=""),
        su(entrepreneur_id="E001", registered_on="2019-03-15", jobs_created="2", jobs_reported_on="2020-01-10"),
        su(entrepreneur_id="E001", registered_on="2019-03-15", jobs_created="3", jobs_reported_on="2021-02-01"),
        # E002 registers in June 2019 with 1 job already (empty report date: the registration date).
        su(entrepreneur_id="E002", registered_on="2019-06-03", jobs_created="1", jobs_reported_on=""),
    ]
    assert load("startups", write_csv(rows_from(rows), name="startups.csv")).status == "loaded"
    # level = sum over entrepreneurs of the jobs in their latest report on or before the as-of; n = rows up to it
    assert _jobs(db, "2019-02-28") == (0, 0)  # nothing registered yet
    assert _jobs(db, "2019-03-31") == (0, 1)  # E001: 0
    assert _jobs(db, "2019-12-31") == (1, 2)  # E001: 0, E002: 1 (not E001's 3 back-dated to March 2019)
    assert _jobs(db, "2020-01-10") == (3, 3)  # E001: 2 (reported that day), E002: 1
    assert _jobs(db, "2021-12-31") == (4, 4)  # E001: 3 (replaces its 2, never added to it), E002: 1


def test_jobs_series_and_breakdown_agree_with_the_level(load, write_csv, db):
    from siree_metrics.metrics import series

    rows = [
        su(entrepreneur_id="E001", registered_on="2019-03-15", jobs_created="0"),
        su(entrepreneur_id="E001", registered_on="2019-03-15", jobs_created="4", jobs_reported_on="2020-01-10"),
        su(entrepreneur_id="E001", registered_on="2019-03-15", jobs_created="3", jobs_reported_on="2020-03-02"),
    ]
    load("startups", write_csv(rows_from(rows), name="startups.csv"))
    with store.connect(db) as con:
        cum = series.cumulative(con, "jobs_created", Filters(), dt.date(2019, 1, 1), dt.date(2020, 12, 31),
                                dt.date(2020, 12, 31))
        added = series.breakdown(con, "jobs_created", "country", Filters(), dt.date(2020, 1, 1),
                                 dt.date(2020, 2, 29), dt.date(2020, 12, 31))
    level = {m.strftime("%Y-%m"): v for m, v in zip(cum["month"], cum["level"], strict=True)}
    # running total: 0 from 2019-03, 4 from the 2020-01 report, 3 from the 2020-03 report (a job lost)
    assert (level["2019-02"], level["2019-03"], level["2019-12"]) == (0, 0, 0)
    assert (level["2020-01"], level["2020-02"], level["2020-03"], level["2020-12"]) == (4, 4, 3, 3)
    # in January-February 2020 the UK's jobs moved by +4 (the 2020-01 report: 4 - 0), on 1 row
    assert added[["country", "level", "n"]].values.tolist() == [["UK", 4.0, 1.0]]


def test_a_jobs_report_before_the_registration_is_refused(load, write_csv, query):
    rows = [su(entrepreneur_id="E001", registered_on="2019-03-15", jobs_created="2", jobs_reported_on="2019-01-31")]
    result = load("startups", write_csv(rows_from(rows), name="early.csv"))
    assert result.status == "refused"
    assert any(str(p).startswith("early.csv:2: registered_on:") and "jobs_reported_on" in str(p)
               for p in result.problems), result.report()
    assert query("select count(*) from startups") == [(0,)]


def test_a_database_from_before_jobs_reported_on_is_brought_up_to_date(load, write_csv, db):
    load("startups", write_csv(rows_from([su()]), name="startups.csv"))
    with store.connect(db, write=True) as con:  # as an earlier version made it: no jobs_reported_on
        for table in ("startups", "startups_replaced"):
            con.execute(f"ALTER TABLE {table} DROP COLUMN jobs_reported_on")
        con.execute("DELETE FROM meta WHERE key = 'schema_version'")  # earlier versions recorded none
    # the first read (_jobs reads through store.connect) brings it up to date: the valid row: 2 jobs, no
    # report date, so reported at registration (2019-03-15)
    assert _jobs(db, "2019-03-15") == (2, 1)
