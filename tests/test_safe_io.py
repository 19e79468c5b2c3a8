"""Safe input and output (#9): upload limits on the upload path, checks off the serving path with a time and
a memory limit, generated file names, temporary files removed after a killed load, a fair lock between
readers and a load, formulas neutralised in exports, and user text never rendered as HTML or Markdown."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import zipfile
from pathlib import Path

import pytest
from helpers import csv_bytes, rows_from, valid

from siree_metrics import cli
from siree_metrics.charts import indicators as charts
from siree_metrics.ingest import limits as upload_limits
from siree_metrics.ingest import scratch, store
from siree_metrics.ingest.limits import Limits
from ui import auth, checker

HOSTILE_SECTOR = '<a href="https://evil.example/phish">Click here</a>'
HOSTILE_NAME = "![p](http://evil.example/h.png)"


def _startups_csv(*sectors: str) -> bytes:
    return csv_bytes(rows_from([valid("startups", entrepreneur_id=f"E{i:03d}", sector=s)
                                for i, s in enumerate(sectors, 1)]))


# --- limits on the upload path ------------------------------------------------------------------------------

def test_a_workbook_bomb_is_refused_on_the_upload_path_before_any_worker_reads_it(tmp_path: Path) -> None:
    # 20 MB of one repeated byte packs into a few KB: its packing ratio is in the thousands (limit 200)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + " " * (20 * upload_limits.MB) + "</worksheet>")
    saved = checker.save_upload(bomb.read_bytes(), "bomb.xlsx")
    started = time.monotonic()
    found = checker.check(saved.path, "startups", saved.display, Limits())
    assert time.monotonic() - started < 0.5  # the ZIP directory only: no worker process was started
    assert found.checked.refusal is not None
    assert found.checked.refusal.startswith("bomb.xlsx: the workbook part 'xl/worksheets/sheet1.xml' unpacks")
    checker.discard(saved.path)
    assert not saved.path.exists()


def test_the_limits_come_from_programme_toml_and_the_command_line_keeps_the_workbook_ones() -> None:
    configured = upload_limits.configured()
    assert configured == Limits()  # programme.toml's [uploads] states the defaults
    cli_limits = configured.for_command_line()
    assert (cli_limits.xlsx_rows, cli_limits.xlsx_ratio, cli_limits.columns) == (200_000, 200, 200)
    assert cli_limits.file_mb > 1_000_000  # not limited by size: the operator loads 10 M rows


def test_load_on_the_command_line_refuses_a_bomb_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + " " * (20 * upload_limits.MB) + "</worksheet>")
    db = tmp_path / "t.duckdb"
    assert cli.main(["load", "--db", str(db), "--dataset", "startups", str(bomb)]) == 1
    err = capsys.readouterr().err
    assert f"{bomb}: the workbook part 'xl/worksheets/sheet1.xml' unpacks" in err
    assert "Traceback" not in err and not db.exists()


# --- off the serving path: one at a time, a time and a memory limit ------------------------------------------

def test_a_check_runs_in_its_own_process_and_gives_the_same_problems(tmp_path: Path, today) -> None:  # noqa: ANN001
    saved = checker.save_upload(_startups_csv("catering", "catering"), "s.csv")
    found = checker.check(saved.path, None, saved.display, Limits(), today=today)
    assert found.dataset == "startups"  # found from the column names, in the worker
    assert found.checked.ok and found.checked.rows == 2


def test_a_check_that_takes_too_long_is_stopped_with_a_clear_message(tmp_path: Path) -> None:
    saved = checker.save_upload(_startups_csv("catering"), "slow.csv")
    found = checker.check(saved.path, "startups", saved.display, Limits(seconds=0))
    assert found.checked.refusal == ("slow.csv: the check took longer than 0 s and was stopped; nothing was loaded; "
                                     "send the file as CSV, or split it (for example by year)")


def test_a_check_that_needs_more_memory_than_allowed_is_stopped(tmp_path: Path) -> None:
    # 700 MB of address space: less than Python with DuckDB and pyarrow loaded needs (about 1 GB)
    saved = checker.save_upload(_startups_csv("catering"), "big.csv")
    found = checker.check(saved.path, "startups", saved.display, Limits(memory_mb=700))
    assert found.checked.refusal is not None
    assert "700 MB" in found.checked.refusal and "nothing was loaded" in found.checked.refusal


def test_checks_run_one_at_a_time_across_the_server(tmp_path: Path) -> None:
    saved = checker.save_upload(_startups_csv("catering"), "second.csv")
    with checker._one_at_a_time(1) as turn:  # another user's check is running
        assert turn
        found = checker.check(saved.path, "startups", saved.display, Limits(seconds=1))
    assert found.checked.refusal == ("second.csv: another file has been checked or loaded for more than 1 s; "
                                     "nothing was done with this one; try again in a minute")


def test_the_server_thread_stays_free_while_a_check_runs(tmp_path: Path, today) -> None:  # noqa: ANN001
    # A check in a thread (as a Streamlit session runs it) only waits on a pipe: this thread keeps running
    # Python at once (each 10 ms sleep wakes within well under a second).
    saved = checker.save_upload(_startups_csv(*["catering"] * 2000), "s.csv")
    worker = threading.Thread(target=checker.check, args=(saved.path, "startups", saved.display, Limits()),
                              kwargs={"today": today})
    worker.start()
    slowest = 0.0
    while worker.is_alive():
        started = time.monotonic()
        sum(range(10_000))
        time.sleep(0.01)
        slowest = max(slowest, time.monotonic() - started)
    worker.join()
    assert slowest < 1.0


# --- names and temporary files -------------------------------------------------------------------------------

@pytest.mark.parametrize(("sent", "shown"), [
    ("..", "upload"), ("", "upload"), ("../../etc/passwd", "passwd"), ("a\\b\\c.csv", "c.csv"),
    ("x/..", "upload"), ("name\nwith\rbreaks.csv", "namewithbreaks.csv"), (HOSTILE_NAME, "h.png)"),
])
def test_an_upload_is_stored_under_a_generated_name_whatever_the_browser_sent(sent: str, shown: str) -> None:
    saved = checker.save_upload(b"partner_id\nUOG\n", sent)
    assert saved.path.parent == checker.uploads_folder()
    assert saved.path.name.endswith(".upload") and len(saved.path.name) == 16 + len(".upload")
    assert saved.path.read_bytes() == b"partner_id\nUOG\n"
    assert saved.display == shown
    checker.discard(saved.path)


def test_a_300_character_name_is_shortened_for_display_and_escaped_for_markdown() -> None:
    saved = checker.save_upload(b"x", "a" * 296 + ".csv")
    # MAX_NAME 80: the first (80 - 1) // 2 = 39 characters, "…", the last 39 ("a" * 35 + ".csv")
    assert saved.display == "a" * 39 + "…" + "a" * 35 + ".csv"
    escaped = auth.plain(HOSTILE_NAME)  # every Markdown character with a backslash: no image, no link
    assert escaped == r"\!\[p\]\(http\://evil\.example/h\.png\)"
    checker.discard(saved.path)


def test_a_hostile_name_reaches_messages_as_text(tmp_path: Path) -> None:
    saved = checker.save_upload(b"partner_id,region\nUOG,UKJ41\n", "x/" + HOSTILE_NAME)
    found = checker.check(saved.path, "startups", saved.display, Limits())
    assert found.checked.problems[0].file == "h.png)"  # the last part after the slash, never a path


def test_temporary_files_of_a_killed_process_are_removed_at_the_next_start(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scratch.tempfile, "gettempdir", lambda: str(tmp_path))
    ended = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(0,))
    ended.start()
    ended.join()  # its pid is now free: a "killed load"
    root = scratch.root()
    old_dead = root / f"{ended.pid}-aaaa"
    new_dead = root / f"{ended.pid}-bbbb"
    old_alive = root / f"{os.getppid()}-cccc"
    not_ours = root / "checks.lock"
    for folder in (old_dead, new_dead, old_alive):
        (folder / "duckdb").mkdir(parents=True)
        (folder / "siree-copy.csv").write_text("x")
    not_ours.write_text("")
    two_hours_ago = time.time() - 7200
    for path in (old_dead, old_alive, not_ours):
        os.utime(path, (two_hours_ago, two_hours_ago))
    assert scratch.clean() == [old_dead]  # older than an hour and its process gone: only this one
    assert not old_dead.exists() and new_dead.exists() and old_alive.exists() and not_ours.exists()
    scratch._mine.clear()
    assert scratch.folder().parent == root  # the first use in a process cleans, then makes its own


def test_a_transcoded_copy_lives_in_the_process_scratch_folder_and_is_deleted(tmp_path: Path) -> None:
    from siree_metrics.ingest import read

    source = tmp_path / "w.csv"
    source.write_bytes("sector\n’t Kompas\n".encode("cp1252"))
    copy = read._transcode(source, "cp1252")
    assert copy.parent == scratch.folder() and copy.read_text(encoding="utf-8") == "sector\n’t Kompas\n"
    copy.unlink()


# --- a load waits for readers a bounded time -----------------------------------------------------------------

def test_readers_yield_to_a_waiting_load(tmp_path: Path) -> None:
    # Two readers take turns so that one of them always holds the shared lock (each holds it 50 ms and
    # comes back 10 ms after letting go): without the intent lock a load would wait for ever; with it, the
    # load gets in once the reader inside finishes, within about 50 ms.
    db = tmp_path / "t.duckdb"
    stop = threading.Event()

    def reader(offset: float) -> None:
        time.sleep(offset)
        while not stop.is_set():
            with store.lock(db, exclusive=False):
                time.sleep(0.05)
            time.sleep(0.01)

    readers = [threading.Thread(target=reader, args=(o,)) for o in (0, 0.025)]
    for r in readers:
        r.start()
    time.sleep(0.2)
    started = time.monotonic()
    try:
        with store.lock(db, exclusive=True, wait=5):
            waited = time.monotonic() - started
    finally:
        stop.set()
        for r in readers:
            r.join()
    assert waited < 1.0


def test_a_load_that_cannot_start_in_time_says_so_and_why(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    holding, done = threading.Event(), threading.Event()

    def long_reader() -> None:
        with store.lock(db, exclusive=False):
            holding.set()
            done.wait(5)

    thread = threading.Thread(target=long_reader)
    thread.start()
    holding.wait()
    notices: list[str] = []
    try:
        with pytest.raises(store.Busy, match=r"^the database is busy: readers \(the dashboard, a summary or an "
                                             r"export\) kept it for more than 0.3 s; nothing was loaded"), \
                store.lock(db, exclusive=True, on_wait=lambda: notices.append("waiting"), wait=0.3):
            pass
    finally:
        done.set()
        thread.join()
    assert notices == ["waiting"]  # told once
    with store.lock(db, exclusive=True, wait=0.3):  # free again: the intent lock was let go
        pass


def test_a_second_load_waits_behind_the_first_a_bounded_time(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    with store.lock(db, exclusive=True), pytest.raises(store.Busy, match="another load has been using it"):
        with store.lock(db, exclusive=True, wait=0.2):
            pass


# --- formulas in downloads and export ------------------------------------------------------------------------

def test_export_neutralises_formulas_and_raw_keeps_the_bytes(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    db, path = tmp_path / "t.duckdb", tmp_path / "s.csv"
    hostile = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(A1:A2)", "-2+3", "catering"]
    path.write_bytes(_startups_csv(*hostile))
    assert cli.main(["load", "--db", str(db), "--dataset", "startups", str(path)]) == 0
    out, raw = tmp_path / "out.csv", tmp_path / "raw.csv"
    assert cli.main(["export", "--db", str(db), "--dataset", "startups", "--out", str(out)]) == 0
    assert cli.main(["export", "--db", str(db), "--dataset", "startups", "--out", str(raw), "--raw"]) == 0
    capsys.readouterr()
    sectors = [line.split(",")[4] if not line.startswith('"') else line for line in out.read_text().splitlines()[1:]]
    text = out.read_text()
    # each formula gets one leading apostrophe (csv quotes the cells holding quotes or commas)
    assert '"\'=HYPERLINK(""http://evil.example"",""x"")"' in text
    assert "'+cmd|' /C calc'!A0" in text and "'@SUM(A1:A2)" in text and "'-2+3" in text
    assert ",catering," in text and "'catering" not in text
    assert len(sectors) == 5
    # --raw: the cells exactly as sent (the file's own CSV bytes, since every cell is kept as sent)
    raw_text = raw.read_text()
    assert '"=HYPERLINK(""http://evil.example"",""x"")"' in raw_text and "\n+cmd" not in raw_text
    assert ",+cmd|' /C calc'!A0," in raw_text and ",@SUM(A1:A2)," in raw_text and "'" + "=" not in raw_text


# --- user text in figures ------------------------------------------------------------------------------------

def test_a_hostile_sector_is_shown_as_text_in_the_entrepreneurship_chart() -> None:
    import pandas as pd

    df = pd.DataFrame({"sector": [HOSTILE_SECTOR, "catering & bakery"], "country": ["UK", "UK"],
                       "level": [3.0, 2.0], "n": [3, 2]})
    fig = charts.breakdown_bars(df, "sector")
    labels = set(fig.data[0].y)
    # escaped: < > & as entities, which plotly shows as the characters (no tag, no link)
    assert labels == {'&lt;a href="https://evil.example/phish"&gt;Click here&lt;/a&gt;', "catering &amp; bakery"}
    assert "<a " not in fig.to_json()


def test_a_check_in_the_worker_process_brings_back_its_texts_in_every_language(tmp_path: Path) -> None:
    """The upload's worker sends its check back pickled: a warning and the file's format come back as texts
    that still know every language, so the page shows them in the reader's, whoever's worker made them."""
    from siree_metrics.i18n import in_language

    saved = checker.save_upload(csv_bytes(rows_from([valid("startups", colour="blue")])), "s.csv")
    found = checker.check(saved.path, "startups", saved.display, Limits(), lang="fr")
    [warning] = found.checked.warnings
    assert warning == "s.csv: la colonne 'colour' ne fait pas partie des données startups et a été ignorée"
    assert in_language(warning, "nl") == "s.csv: kolom 'colour' hoort niet bij de gegevens van startups en werd genegeerd"
    assert in_language(found.checked.description, "en") == "CSV, UTF-8, comma-separated"
    checker.discard(saved.path)
