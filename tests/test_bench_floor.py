"""bench/load_floor.py's cheaper ways of loading a file store every row, as the loader does: a floor that
quietly stored less would make the measured gap to the 2x goal look smaller than it is."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import duckdb
import pytest

from siree_metrics.ingest.load import load_file

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def narrow_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("floor") / "narrow.csv"
    with duckdb.connect() as con:
        con.execute(_module("make_attendance").sql(3000, path, narrow=True))
    return path


@pytest.mark.parametrize("way", ["unstaged", "casts", "bare"])
def test_each_way_stores_every_row_with_the_loaders_values(way, narrow_file, tmp_path):
    floor = _module("load_floor")
    db = tmp_path / f"{way}.duckdb"
    floor._worker(way, db, narrow_file, "school_attendance")
    loaded = tmp_path / "loaded.duckdb"
    assert load_file(loaded, "school_attendance", narrow_file).status == "loaded"
    table = "bare" if way == "bare" else "school_attendance"
    columns = "partner_id, region, school_id, month, children_enrolled, children_attending"
    with duckdb.connect(str(db), read_only=True) as con:
        got = con.execute(f"SELECT {columns} FROM {table} ORDER BY ALL").fetchall()
    with duckdb.connect(str(loaded), read_only=True) as con:
        want = con.execute(f"SELECT {columns} FROM school_attendance ORDER BY ALL").fetchall()
    assert len(got) == 3000
    assert got == want
