"""The demo database: its story at the project end, the reference data it is set in, its files, its label,
and a build killed half-way.

The demo is built once for the module into a temporary folder (never the checkout's data/demo); tests that
change a database work on a copy of it or build their own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import ROOT, csv_bytes, rows_from, subprocess_env, valid
from streamlit.testing.v1 import AppTest

from siree_metrics.demo import story
from siree_metrics.demo.build import build_demo_database, write_demo_files
from siree_metrics.ingest import store
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import summarize
from siree_metrics.reference import load_reference

END = dt.date(2021, 12, 31)
DEMO_FILES = 51  # 8 datasets: 9 + 5 + 5 + 5 + 9 + 8 start-ups + 1 networks + 9 expenditure files


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "siree.duckdb"
    results = build_demo_database(db, folder / "exports")
    assert [r.status for r in results] == ["loaded"] * DEMO_FILES, [r.report() for r in results if r.status != "loaded"]
    yield db


def _copy(db: Path, folder: Path) -> Path:
    """A copy of the database file (and its write-ahead log, if any) in ``folder``."""
    for suffix in ("", ".wal"):
        if Path(f"{db}{suffix}").exists():
            shutil.copy(f"{db}{suffix}", folder / f"siree.duckdb{suffix}")
    return folder / "siree.duckdb"


def _state(db: Path) -> str | None:
    with store.connect(db) as con:
        return store.demo_state(con)


def _batches(db: Path) -> int:
    with store.connect(db) as con:
        return con.execute("select count(*) from batches").fetchone()[0]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "siree_metrics", *args]


# -- the story -----------------------------------------------------------------------------------------------


def test_the_demo_writes_its_files_to_the_folder_it_is_given(demo_db: Path) -> None:
    exports = demo_db.parent / "exports"
    assert len(list(exports.iterdir())) == DEMO_FILES
    with store.connect(demo_db) as con:
        names = [n for (n,) in con.execute("select file_name from batches order by batch_id").fetchall()]
    assert all(n.startswith(str(exports)) for n in names), names[:3]


def test_the_demo_story_at_the_project_end(demo_db: Path) -> None:
    """The headline figures of the whole programme at 2021-12-31, as the story module's docstring tells them;
    the relative changes are made exact by the generator (``story._nudge``), jobs are the 30 the generator
    hands out (``story._JOBS_CREATED``), all reported by the project end."""
    with store.connect(demo_db) as con:
        summary = summarize(con, END, Filters())
    # 88 % of the programme budget of EUR 4,880,802 (data/reference/programme.toml): 4,880,802 x 0.88 =
    # 4,295,105.76, exact to the cent (the generator scales the partners' spending to it, story.SPENT_SHARE)
    assert (summary.budget.total_eur, summary.budget.spent_eur) == (Decimal("4880802"), Decimal("4295105.76"))
    values = {r.id: round(r.value, 3) for r in summary.indicators}
    assert values == {
        "learning_communities": 44,
        "children_in_school": 0.23,  # children in school +23 %
        "parent_involvement": 0.095,  # +9.5 %
        "adult_education_inflow": 0.04,  # +4 %
        "teachers_trained": 472,
        "new_entrepreneurs": 42,
        "jobs_created": 30,
        "support_networks": 4,
    }


def test_two_builds_write_byte_identical_files(demo_db: Path, tmp_path: Path) -> None:
    files = write_demo_files(tmp_path, load_reference())
    assert len(files) == DEMO_FILES
    for _, path in files:
        assert path.read_bytes() == (demo_db.parent / "exports" / path.name).read_bytes(), path.name


# -- the reference data the story is set in -------------------------------------------------------------------


def test_the_story_takes_its_period_windows_and_partners_from_the_reference() -> None:
    facts = story.Facts.from_reference(load_reference())
    # data/reference/programme.toml: the project runs 2018-03-01 to 2021-12-31; the baseline window is
    # 2017-03-01 to 2018-02-28, so its months are 2017-03 to 2018-02; the current window is the 12 months
    # ending with the project end's month: 2021-01 to 2021-12
    assert (facts.start, facts.end) == (dt.date(2018, 3, 1), dt.date(2021, 12, 31))
    assert facts.baseline == (dt.date(2017, 3, 1), dt.date(2018, 2, 1))
    assert facts.current == (dt.date(2021, 1, 1), dt.date(2021, 12, 1))
    # data/reference/partners.csv: UOG is the lead partner, English, at home in Medway (UKJ41)
    assert (facts.lead, facts.countries["UOG"], facts.regions["UOG"][0]) == ("UOG", "UK", "UKJ41")
    assert list(facts.countries) == list(load_reference().partners)  # the partners' order is the reference's


def test_the_story_follows_the_reference_data() -> None:
    """A reference whose project ends on 2021-06-30 and where ARHUS is at home in Kortrijk (BE254) instead of
    Roeselare (BE256) gives a story that stops on 2021-06-30 and puts ARHUS's network and expenditure there."""
    reference = load_reference()
    moved = dataclasses.replace(
        reference,
        programme=dataclasses.replace(reference.programme, end=dt.date(2021, 6, 30)),
        partners={**reference.partners, "ARHUS": dataclasses.replace(reference.partners["ARHUS"], home_region="BE254")},
    )
    assert story.Facts.from_reference(moved).current == (dt.date(2020, 7, 1), dt.date(2021, 6, 1))  # 12 months
    exports = story.demo_exports(moved)
    dates = [v for export in exports for row in export.rows for v in row.values() if isinstance(v, dt.date)]
    assert max(dates) == dt.date(2021, 6, 30)  # the last expenditure claim closes on the project end
    arhus = [row for e in exports if e.partner in ("UOG", "ARHUS") and e.dataset in ("networks", "expenditure")
             for row in e.rows if row["partner_id"] == "ARHUS"]
    assert {row["region"] for row in arhus} == {"BE254"}  # NET02 and every ARHUS cost line


def test_a_story_region_outside_the_partners_country_is_refused() -> None:
    reference = load_reference()
    regions = {code: region for code, region in reference.regions.items() if code != "FRE12"}
    with pytest.raises(ValueError, match="demo story: ADICE works in FRE12, not a region of its country"):
        story.Facts.from_reference(dataclasses.replace(reference, regions=regions))


def _jobs_known(as_of: dt.date) -> int:
    """Jobs at ``as_of`` recomputed from the generator's rows, independently of the SQL: per entrepreneur the
    jobs of their latest report on or before ``as_of`` (an empty report date is the registration date)."""
    latest: dict[tuple[str, str], tuple[dt.date, int]] = {}
    for export in story.demo_exports(load_reference()):
        if export.dataset != "startups":
            continue
        for row in export.rows:
            reported = row["jobs_reported_on"] or row["registered_on"]
            key = (row["partner_id"], row["entrepreneur_id"])
            if reported <= as_of and reported >= latest.get(key, (dt.date.min, 0))[0]:
                latest[key] = (reported, row["jobs_created"])
    return sum(jobs for _, jobs in latest.values())


@pytest.mark.parametrize(("as_of", "jobs"), [("2019-06-30", 1), ("2019-12-31", 7), ("2020-12-31", 13),
                                             ("2021-06-30", 22), ("2021-12-31", 30)])
def test_demo_jobs_count_from_the_day_they_were_reported(demo_db: Path, as_of: str, jobs: int) -> None:
    day = dt.date.fromisoformat(as_of)
    assert _jobs_known(day) == jobs  # the generator's rows say so ...
    with store.connect(demo_db) as con:
        result = {r.id: r for r in summarize(con, day, Filters()).indicators}["jobs_created"]
    assert result.value == jobs  # ... and so does the summary


# -- the label ---------------------------------------------------------------------------------------------


def _page(db: Path, monkeypatch: pytest.MonkeyPatch, page: str | None = "pages/6_Data.py") -> AppTest:
    """Open ``page`` (None: the Overview) on ``db``, entering through dashboard.py as the real server does."""
    monkeypatch.setenv("SIREE_DB", str(db))
    monkeypatch.delenv("SIREE_UPLOADS", raising=False)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at = (at.switch_page(page) if page else at).run()
    assert not at.exception
    return at


def test_the_demo_database_is_labelled_and_uploads_need_a_login(demo_db: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    db = _copy(demo_db, tmp_path)
    assert _state(db) == "demo"
    at = _page(db, monkeypatch)
    assert any("DEMO DATA" in w.value for w in at.warning)
    assert any("Log in as a partner to upload" in i.value for i in at.info)  # a viewer uploads nothing


def test_a_partner_file_loaded_into_the_demo_database_takes_the_label_away(
        demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = _copy(demo_db, tmp_path)
    real = tmp_path / "mechelen.csv"
    real.write_bytes(csv_bytes(rows_from([valid("learning_communities", community_id="REAL-1")])))
    done = subprocess.run(_cli("load", "--db", str(db), "--dataset", "learning_communities", str(real)),
                          env=subprocess_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert _state(db) == "mixed"
    at = _page(db, monkeypatch)
    assert not any("DEMO DATA" in w.value for w in at.warning)
    assert any("beside partners' files" in w.value for w in at.warning)
    assert any("Log in as a partner to upload" in i.value for i in at.info)


def test_the_demo_is_not_built_into_a_database_of_partners_files(tmp_path: Path) -> None:
    db = tmp_path / "real.duckdb"
    real = tmp_path / "real.csv"
    real.write_bytes(csv_bytes(rows_from([valid("learning_communities")])))
    assert subprocess.run(_cli("load", "--db", str(db), "--dataset", "learning_communities", str(real)),
                          env=subprocess_env(), capture_output=True, timeout=120).returncode == 0
    done = subprocess.run(_cli("demo", "--db", str(db)), env=subprocess_env(), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {db} holds 1 loaded files and is not the demo database")
    assert "Traceback" not in done.stderr
    assert (_batches(db), _state(db)) == (1, None)  # nothing changed


# -- a build killed half-way ------------------------------------------------------------------------------------


def test_a_demo_build_killed_half_way_is_finished_by_the_next_build(tmp_path: Path) -> None:
    db = tmp_path / "siree.duckdb"
    build = subprocess.Popen(_cli("demo", "--db", str(db)), env=subprocess_env(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not db.exists() or _batches(db) < 10:
        assert build.poll() is None, "the demo build ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=30)
    killed_at = _batches(db)
    assert 10 <= killed_at < DEMO_FILES
    assert _state(db) == "building"  # seen as unfinished, labelled as demo data meanwhile
    done = subprocess.run(_cli("demo", "--db", str(db)), env=subprocess_env(), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("already loaded") == killed_at  # the files stored before the kill are kept
    assert (_batches(db), _state(db)) == (DEMO_FILES, "demo")
    assert (tmp_path / "demo").is_dir()  # the exports went beside the database


def test_the_dashboard_finishes_an_interrupted_demo_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "siree.duckdb"
    from siree_metrics.ingest import load

    real_load = load.load_file
    calls = []

    class Killed(Exception):
        pass

    def load_then_fail(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if len(calls) == 18:
            raise Killed  # the build stops after 18 of its 51 files
        calls.append(args)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(load, "load_file", load_then_fail)
    with pytest.raises(Killed):
        build_demo_database(db, tmp_path / "exports")
    monkeypatch.setattr(load, "load_file", real_load)
    assert (_batches(db), _state(db)) == (18, "building")
    at = _page(db, monkeypatch, None)  # the next start
    assert (_batches(db), _state(db)) == (DEMO_FILES, "demo")
    assert any("DEMO DATA" in w.value for w in at.warning)
