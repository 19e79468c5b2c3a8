"""Proof under faults (#9): loads, demo builds, backups and retractions killed with SIGKILL at random moments;
a read-only or full disk; a missing or damaged database; stale lock files; a busy database.

Each killed command runs in a worker process that has imported the tool and waits for a "go" line, so the
random delay counts from the start of the command itself, not from Python's start-up. After each kill the
database must open, hold either its state before the command or its state after it (a fingerprint: every
table's row count and the sum of its rows' hashes, the clock columns left out), and take the next command.

The number of load trials is ``SIREE_KILL_TRIALS`` (20 by default; ``bench/reliability.py`` runs more and
prints the figures recorded in docs/reliability.md). Each trial prints where its kill landed (``-s``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import TODAY, csv_bytes, rows_from, subprocess_env, valid

from siree_metrics import cli
from siree_metrics.ingest import audit, backup, store
from siree_metrics.ingest.load import load_file

TRIALS = int(os.environ.get("SIREE_KILL_TRIALS", "20"))
# 120,000 rows load in about 0.5 s here (2 cores), long enough for a kill to land before, during and after
# the write (the write phase, under the exclusive lock, is about half of it).
BIG_ROWS = 120_000
CLOCKS = ("loaded_at", "done_at")  # columns that differ between two runs of the same command
WORKER = ("import sys\nfrom siree_metrics import cli\nprint('ready', flush=True)\nsys.stdin.readline()\n"
          "sys.exit(cli.main(sys.argv[1:]))\n")


# -- helpers --------------------------------------------------------------------------------------------------

def fingerprint(db: Path) -> dict[str, tuple]:
    """Every table's (row count, sum of row hashes), the clock columns left out: two databases holding the
    same rows give the same fingerprint, whatever order the rows were written in."""
    with store.connect(db) as con:
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = "
                                            "current_database() ORDER BY table_name").fetchall()]
        out = {}
        for t in tables:
            cols = [c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE database_name = "
                                              "current_database() AND table_name = $t ORDER BY column_index",
                                              {"t": t}).fetchall() if c not in CLOCKS]
            row = ", ".join(f'"{c}"' for c in cols)
            out[t] = con.execute(f'SELECT count(*), coalesce(sum(hash({row})::HUGEINT), 0) FROM "{t}"').fetchone()
        return out


def whole(db: Path) -> list[tuple]:
    """Check that every batch is stored whole (its rows, current or replaced, number exactly ``batches.rows``)
    and no row belongs to a batch that is not recorded; the batches as (batch_id, dataset, rows)."""
    with store.connect(db) as con:
        batches = con.execute("SELECT batch_id, dataset, rows FROM batches ORDER BY batch_id").fetchall()
        datasets = {d for _, d, _ in batches}
        for b, d, rows in batches:
            n = con.execute(f'SELECT (SELECT count(*) FROM "{d}" WHERE batch_id = $b) + '
                            f'(SELECT count(*) FROM "{d}_replaced" WHERE batch_id = $b)', {"b": b}).fetchone()[0]
            assert n == rows, f"batch {b} of {d}: {n} rows stored, {rows} recorded"
        for d in datasets:
            orphans = con.execute(f'SELECT count(*) FROM "{d}" WHERE batch_id NOT IN (SELECT batch_id FROM batches)'
                                  ).fetchone()[0]
            assert orphans == 0
        return batches


def writer_holds_lock(db: Path) -> bool:
    """True while some process holds the database's lock file exclusively (a command in its write phase)."""
    fd = os.open(str(db) + ".lock", os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def worker(*argv: str) -> subprocess.Popen:
    """A process that has imported the tool and runs ``python -m siree_metrics ARGV`` once told to (go)."""
    proc = subprocess.Popen([sys.executable, "-c", WORKER, *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=subprocess_env(), text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    return proc


def go(proc: subprocess.Popen) -> float:
    assert proc.stdin is not None
    proc.stdin.write("go\n")
    proc.stdin.flush()
    return time.monotonic()


def kill_after(proc: subprocess.Popen, started: float, delay: float, db: Path) -> str:
    """Kill ``proc`` ``delay`` s after ``started``; what it was doing: "ended" (it had finished), "writing"
    (holding the database's exclusive lock) or "other" (before its write, or after it, on its way out)."""
    time.sleep(max(0.0, started + delay - time.monotonic()))
    if proc.poll() is not None:
        doing = "ended"
    else:
        doing = "writing" if writer_holds_lock(db) else "other"
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    proc.communicate()
    return doing


def landed(doing: str, changed: bool) -> str:
    """Where a kill landed: "before" the write, "during" it (the exclusive lock held: the transaction was
    open, or committed and not yet released), or "after" it (committed, the process ending or ended)."""
    if doing == "writing":
        return "during"
    return "after" if doing == "ended" or changed else "before"


def finish(proc: subprocess.Popen) -> float:
    """Run ``proc`` to its end; how long it took after "go"."""
    started = go(proc)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return time.monotonic() - started


def small_file(folder: Path, name: str, **changes: str) -> Path:
    path = folder / name
    path.write_bytes(csv_bytes(rows_from([valid("learning_communities", **changes)])))
    return path


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid school_attendance file of BIG_ROWS rows (4,000 schools x 30 months)."""
    months = [f"{y}-{m:02d}" for y in (2018, 2019, 2020) for m in range(1, 13)][:30]
    lines = ["partner_id,region,school_id,month,children_enrolled,children_attending"]
    lines += [f"ADICE,FRE11,S{s:05d},{mo},20,15" for s in range(BIG_ROWS // 30) for mo in months]
    path = tmp_path_factory.mktemp("big") / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed database of one small batch (two school_attendance rows): the state before each trial."""
    folder = tmp_path_factory.mktemp("seed")
    db = folder / "seed.duckdb"
    seed = folder / "seed.csv"
    seed.write_bytes(csv_bytes(rows_from([valid("school_attendance"), valid("school_attendance", school_id="X")])))
    assert load_file(db, "school_attendance", seed, today=TODAY).status == "loaded"
    assert not Path(f"{db}.wal").exists()  # closed cleanly: a plain copy of the file is the whole database
    return db


def copy_db(template: Path, to: Path) -> Path:
    shutil.copyfile(template, to)
    return to


# -- 1. kills at random moments ------------------------------------------------------------------------------

def test_a_load_killed_at_random_moments_leaves_the_database_as_before(seeded: Path, big_csv: Path,
                                                                         tmp_path: Path) -> None:
    before = fingerprint(seeded)
    rng = random.Random(9)
    load = ("load", "--dataset", "school_attendance", str(big_csv), "--db")
    # the state after a whole load, and how long a load takes once started
    done_db = copy_db(seeded, tmp_path / "done.duckdb")
    took = finish(worker(*load, str(done_db)))
    after = fingerprint(done_db)
    assert after["school_attendance"][0] == 2 + BIG_ROWS and after != before

    phases: Counter[str] = Counter()
    outcomes: Counter[tuple[str, str]] = Counter()
    reloaded = False
    dbs = [tmp_path / f"trial{i}.duckdb" for i in range(TRIALS)]
    nxt = worker(*load, str(copy_db(seeded, dbs[0])))
    for i, db in enumerate(dbs):
        proc, delay = nxt, rng.uniform(0, took * 1.15)
        started = go(proc)
        doing = kill_after(proc, started, delay, db)
        if i + 1 < TRIALS:  # the next worker starts up while this trial is checked
            nxt = worker(*load, str(copy_db(seeded, dbs[i + 1])))
        state = fingerprint(db)  # the database opens
        assert state in (before, after), f"trial {i}: killed ({doing}) at {delay:.3f} s: neither before nor after"
        whole(db)
        outcome = "unchanged" if state == before else "loaded"
        phase = landed(doing, state != before)
        phases[phase] += 1
        outcomes[(phase, outcome)] += 1
        # the next load succeeds
        assert load_file(db, "learning_communities", small_file(tmp_path, f"next{i}.csv"), today=TODAY).status == "loaded"
        if phase == "during" and outcome == "unchanged" and not reloaded:  # the killed file itself loads now
            again = load_file(db, "school_attendance", big_csv, today=TODAY)
            assert (again.status, again.rows) == ("loaded", BIG_ROWS)
            reloaded = True
        db.unlink()
        Path(f"{db}.wal").unlink(missing_ok=True)
    print(f"\nload killed {TRIALS} times (a load takes {took:.2f} s): {dict(phases)}; outcomes {dict(outcomes)}")
    assert phases["during"] >= 3 and phases["before"] >= 1  # the kills did land mid-load
    assert outcomes[("after", "unchanged")] == 0  # a load that ended had stored its file


def test_a_demo_build_killed_again_and_again_keeps_every_batch_whole(tmp_path: Path) -> None:
    db, out = tmp_path / "demo.duckdb", tmp_path / "files"
    rng = random.Random(3)
    seen = []
    for _ in range(2):  # the second run resumes the build the first kill interrupted
        proc = worker("demo", "--db", str(db), "--out", str(out))
        phase = kill_after(proc, go(proc), rng.uniform(1.0, 2.5), db)
        batches = whole(db)  # opens; every batch whole: before or after each file, never inside one
        assert [b for b, _, _ in batches] == list(range(1, len(batches) + 1))
        with store.connect(db) as con:
            assert store.demo_state(con) in ("building", "demo")
        seen.append((phase, len(batches)))
    print(f"\ndemo build killed twice: (where, batches stored) {seen}")
    assert [n for _, n in seen] == sorted(n for _, n in seen)  # nothing stored was lost by a later kill


@pytest.fixture(scope="module")
def loaded(seeded: Path, big_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed database of the seed batch (1) and the big file (batch 2)."""
    db = copy_db(seeded, tmp_path_factory.mktemp("loaded") / "loaded.duckdb")
    assert load_file(db, "school_attendance", big_csv, today=TODAY).batch_id == 2
    return db


def test_a_backup_killed_at_random_moments_leaves_no_half_file_under_its_name(loaded: Path, tmp_path: Path) -> None:
    source = copy_db(loaded, tmp_path / "source.duckdb")
    state = fingerprint(source)
    took = finish(worker("backup", "--db", str(source), "--out", str(tmp_path / "calibrate.bak")))
    assert fingerprint(tmp_path / "calibrate.bak") == state
    rng = random.Random(5)
    seen: Counter[tuple[str, str]] = Counter()
    for i in range(TRIALS // 5):
        out = tmp_path / f"b{i}.bak"
        proc = worker("backup", "--db", str(source), "--out", str(out))
        doing = kill_after(proc, go(proc), rng.uniform(0, took * 1.1), source)
        if out.exists():  # a file under the final name is a whole backup
            assert fingerprint(out) == state
        else:  # at most a .part file beside it, and the next backup to that name succeeds
            assert backup.backup(source, out) == 2
            assert fingerprint(out) == state
        seen[(doing, "whole backup" if doing == "ended" or out.exists() else "no file")] += 1
    assert fingerprint(source) == state  # the source is untouched
    print(f"\nbackup killed {TRIALS // 5} times (a backup takes {took:.2f} s): {dict(seen)}")


def test_a_retraction_killed_at_random_moments_is_all_or_nothing(loaded: Path, tmp_path: Path) -> None:
    before = fingerprint(loaded)
    retract = ("retract", "--batch", "2", "--reason", "killed test", "--by", "tester", "--db")
    done = copy_db(loaded, tmp_path / "done.duckdb")
    took = finish(worker(*retract, str(done)))
    after = fingerprint(done)
    assert after["batch_log"][0] == 1 and after != before
    rng = random.Random(7)
    seen: Counter[tuple[str, str]] = Counter()
    for i in range(TRIALS // 5):
        db = copy_db(loaded, tmp_path / f"r{i}.duckdb")
        proc = worker(*retract, str(db))
        doing = kill_after(proc, go(proc), rng.uniform(0, took * 1.1), db)
        state = fingerprint(db)
        assert state in (before, after)
        whole(db)
        if state == before:  # the retraction can be made again
            assert audit.retract(db, 2, "tester", "again").rows_out == BIG_ROWS
        else:  # or undone
            assert audit.restore(db, 2, "tester", "undo").rows_back == BIG_ROWS
        seen[(landed(doing, state != before), "unchanged" if state == before else "retracted")] += 1
    print(f"\nretraction killed {TRIALS // 5} times (it takes {took:.2f} s): {dict(seen)}")


# -- 2. disk faults, damaged databases, stale locks ----------------------------------------------------------

@contextlib.contextmanager
def small_disk(folder: Path, size_mb: int) -> Iterator[bool]:
    """A tmpfs of ``size_mb`` at ``folder`` (True); False where mounting is not allowed (not root)."""
    folder.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(folder)], capture_output=True).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def run_cli(*argv: str, limit_bytes: int | None = None) -> subprocess.CompletedProcess:
    """``python -m siree_metrics ARGV`` in a child process; ``limit_bytes``: largest file it may write
    (RLIMIT_FSIZE: a write beyond it fails with EFBIG, as on a full disk)."""
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run([sys.executable, "-m", "siree_metrics", *argv], capture_output=True, text=True,
                          env=subprocess_env(), preexec_fn=limit if limit_bytes else None, timeout=120)


def here(capsys: pytest.CaptureFixture, *argv: str) -> subprocess.CompletedProcess:
    """``python -m siree_metrics ARGV`` run in this process (faster); its status and output."""
    capsys.readouterr()
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(argv, status, out, err)


def no_traceback(done: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in done.stderr and "fault in the SIREE tool" not in done.stderr, done.stderr


def test_a_full_disk_stops_a_load_cleanly_and_loses_nothing(seeded: Path, big_csv: Path, tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    with small_disk(disk, 2) as mounted:  # the seeded database takes 1.6 MB; the big load needs about 1 MB more
        db = copy_db(seeded, disk / "siree.duckdb")
        before = fingerprint(db)
        load = ("load", "--db", str(db), "--dataset", "school_attendance", str(big_csv))
        done = run_cli(*load) if mounted else run_cli(*load, limit_bytes=db.stat().st_size + 256 * 1024)
        no_traceback(done)
        state = fingerprint(db)  # the database opens, on the full disk
        whole(db)
        if state == before:  # the write failed: refused, nothing stored, and said so
            assert done.returncode == 2, done.stderr
            assert "full" in done.stderr or "too large" in done.stderr, done.stderr
        else:  # the batch was committed but the database could not be tidied afterwards: loaded, with a warning
            assert done.returncode == 0, done.stderr
            assert state["school_attendance"][0] == 2 + BIG_ROWS
            assert "warning:" in done.stderr and "full" in done.stderr
        print(f"\nfull disk ({'tmpfs' if mounted else 'RLIMIT_FSIZE'}): exit {done.returncode}: "
              f"{done.stderr.strip().splitlines()[0]}")
        if mounted:  # space freed: the next load succeeds
            subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)
        else:
            shutil.move(str(db), tmp_path / "moved.duckdb")
            shutil.move(f"{db}.wal", tmp_path / "moved.duckdb.wal") if Path(f"{db}.wal").exists() else None
            db = tmp_path / "moved.duckdb"
        assert load_file(db, "learning_communities", small_file(tmp_path, "after.csv"), today=TODAY).status == "loaded"


def test_a_read_only_disk_still_shows_the_figures_and_refuses_writes_in_one_line(
        seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    disk = tmp_path / "disk"
    with small_disk(disk, 8) as mounted:
        db = copy_db(seeded, disk / "siree.duckdb")
        before = fingerprint(db)
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        elif os.geteuid() == 0:
            pytest.skip("root without mount: a read-only folder cannot be made")
        else:
            disk.chmod(0o555)
            db.chmod(0o444)
        try:
            summary = here(capsys, "summary", "--db", str(db), "--format", "json")
            no_traceback(summary)
            assert summary.returncode == 0 and '"as_of"' in summary.stdout  # reading works
            for argv in (("load", "--dataset", "learning_communities", str(small_file(tmp_path, "lc.csv"))),
                         ("retract", "--batch", "1", "--reason", "x"),
                         ("backup", "--out", str(disk / "copy.bak"))):
                done = here(capsys, argv[0], "--db", str(db), *argv[1:])
                no_traceback(done)
                assert done.returncode == 2, (argv, done.stderr)
                assert done.stderr.startswith("error: ") and "read-only" in done.stderr.lower(), done.stderr
                assert len(done.stderr.strip().splitlines()) <= 2
            assert fingerprint(db) == before
        finally:
            if not mounted:
                disk.chmod(0o755)


@pytest.mark.parametrize("damage", ["truncated", "empty", "text", "block"])
def test_a_damaged_database_is_named_and_left_as_it_is(loaded: Path, tmp_path: Path, damage: str,
                                                        capsys: pytest.CaptureFixture) -> None:
    db = copy_db(loaded, tmp_path / "siree.duckdb")
    good = db.read_bytes()
    half = len(good) // 2
    db.write_bytes({"truncated": good[:half], "empty": b"", "text": b"partner_id,region\n",
                    "block": good[:12288] + bytes(range(256)) * 256 + good[12288 + 65536:]}[damage])  # after the headers
    damaged = db.read_bytes()
    for argv in (("summary",), ("export", "--dataset", "school_attendance"),
                 ("load", "--dataset", "learning_communities", str(small_file(tmp_path, "lc.csv"))),
                 ("backup", "--out", str(tmp_path / "copy.bak")), ("retract", "--batch", "1", "--reason", "x")):
        done = here(capsys, argv[0], "--db", str(db), *argv[1:])
        no_traceback(done)
        assert done.returncode == 2, (argv, done.stderr)
        assert done.stderr.startswith(f"error: {db}"), done.stderr
        assert db.read_bytes() == damaged  # left as it is, for a restore or an expert
        assert not (tmp_path / "copy.bak").exists()


def test_a_missing_database_is_not_created_by_a_read_or_a_backup(tmp_path: Path) -> None:
    db = tmp_path / "typo.duckdb"
    for argv in (("summary",), ("export", "--dataset", "startups"), ("retract", "--batch", "1", "--reason", "x"),
                 ("restore-batch", "--batch", "1", "--reason", "x"), ("backup", "--out", str(tmp_path / "b.bak"))):
        assert cli.main([argv[0], "--db", str(db), *argv[1:]]) == 2
        assert not db.exists()


def test_stale_lock_files_of_a_killed_process_do_not_block(seeded: Path, tmp_path: Path) -> None:
    db = copy_db(seeded, tmp_path / "siree.duckdb")
    # a process that took both lock files exclusively, as a load in its write phase, then was killed
    holder = subprocess.Popen([sys.executable, "-c",
                               "import fcntl, os, sys, time\n"
                               "for p in sys.argv[1:]:\n"
                               "    fcntl.flock(os.open(p, os.O_RDWR | os.O_CREAT), fcntl.LOCK_EX)\n"
                               "print('held', flush=True)\ntime.sleep(60)\n",
                               f"{db}.lock.intent", f"{db}.lock"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    assert writer_holds_lock(db)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert Path(f"{db}.lock").exists() and Path(f"{db}.lock.intent").exists()  # the files stay; their locks do not
    started = time.monotonic()
    assert load_file(db, "learning_communities", small_file(tmp_path, "lc.csv"), today=TODAY).status == "loaded"
    assert time.monotonic() - started < 5  # no wait for the dead process
    assert [d for _, d, _ in whole(db)] == ["school_attendance", "learning_communities"]


def test_a_busy_database_stops_a_writer_with_one_line_and_exit_1(seeded: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture) -> None:
    db = copy_db(seeded, tmp_path / "siree.duckdb")
    demo_db = tmp_path / "demo.duckdb"
    before = fingerprint(db)
    monkeypatch.setattr(store, "WRITE_WAIT_SECONDS", 0.2)
    held = []
    for target in (db, demo_db):  # a reader (a page, a summary) keeps each database beyond the writer's limit
        held.append(os.open(f"{target}.lock", os.O_RDWR | os.O_CREAT))
        fcntl.flock(held[-1], fcntl.LOCK_SH)
    try:
        for target, argv in ((db, ["load", "--dataset", "learning_communities", str(small_file(tmp_path, "lc.csv"))]),
                             (db, ["retract", "--batch", "1", "--reason", "x"]),
                             (db, ["restore", "--from", str(seeded), "--replace"]),
                             (demo_db, ["demo", "--out", str(tmp_path / "demo")])):
            status = cli.main([argv[0], "--db", str(target), *argv[1:]])
            err = capsys.readouterr().err
            assert status == 1, (argv, err)
            assert "the database is busy" in err and "fault" not in err, err
    finally:
        for fd in held:
            os.close(fd)
    assert fingerprint(db) == before
    assert not demo_db.exists()
