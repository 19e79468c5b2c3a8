"""The schema follows the contract: a database made before the contract gained a column keeps working.

This is the README's contributor test "a new contract column": on a copy of the reference folder, a column is
added to a dataset of contract.toml, and a database built with the contract as it was is then loaded into,
summarised and exported with the grown one, from the command line (``SIREE_REFERENCE_DIR`` names the copy).
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from helpers import ROOT, TODAY, csv_bytes, rows_from, subprocess_env, valid

from siree_metrics.ingest import store
from siree_metrics.ingest.contract import load_contract
from siree_metrics.ingest.load import load_file

# Two new optional columns of adult_education: one with a default (old rows read it), one without (NULL).
NEW_COLUMNS = '''
[columns.classes_given]
type = "count"
description = "Classes the provider gave in the month; 0 when the column is left out."
default = "0"

[columns.course_language]
type = "text"
description = "The language the courses were taught in."
'''


@pytest.fixture
def grown(tmp_path: Path) -> Path:
    """A copy of data/reference whose adult_education has gained classes_given and course_language."""
    copy = tmp_path / "reference"
    shutil.copytree(ROOT / "data" / "reference", copy)
    path = copy / "contract.toml"
    text = path.read_text(encoding="utf-8")
    old = 'optional = ["gender", "age_band"]'
    assert text.count(old) == 1  # adult_education's optional columns, as the contract has them today
    text = text.replace(old, 'optional = ["gender", "age_band", "classes_given", "course_language"]')
    path.write_text(text.replace("[datasets.", NEW_COLUMNS + "\n[datasets.", 1), encoding="utf-8")
    return copy


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    """A database built with today's contract: two adult_education rows (CVO-1 7 enrolments, CVO-2 5)."""
    db = tmp_path / "siree.duckdb"
    path = tmp_path / "old.csv"
    path.write_bytes(csv_bytes(rows_from([valid("adult_education"),
                                          valid("adult_education", provider_id="CVO-2", new_enrolments="5")])))
    assert load_file(db, "adult_education", path, today=TODAY).status == "loaded"
    return db


def _cli(reference: Path, *args: object) -> subprocess.CompletedProcess:
    """``python -m siree_metrics ARGS`` with the reference folder ``reference``."""
    env = {**subprocess_env(), "SIREE_REFERENCE_DIR": str(reference)}
    proc = subprocess.run([sys.executable, "-m", "siree_metrics", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60)
    assert "Traceback" not in proc.stderr and "fault in the SIREE tool" not in proc.stderr, proc.stderr
    return proc


def _rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _columns(db: Path, table: str) -> list[str]:
    return [c for (c,) in _rows(db, f"SELECT column_name FROM duckdb_columns() WHERE table_name = '{table}' "
                                    "ORDER BY column_index")]


def test_a_new_contract_column_keeps_an_existing_database_working(grown, old_db, tmp_path):
    # summary with the grown contract: works, and brings both tables up to it
    summary = _cli(grown, "summary", "--db", old_db, "--as-of", "2019-03-31", "--format", "json")
    assert summary.returncode == 0, summary.stderr
    inflow = {i["id"]: i for i in json.loads(summary.stdout)["indicators"]}["adult_education_inflow"]
    assert inflow["coverage"]["reporting"] == ["ARHUS"]  # both rows are ARHUS's
    for table in ("adult_education", "adult_education_replaced"):
        assert _columns(old_db, table)[-2:] == ["classes_given", "course_language"]  # added after the others
    # the rows stored before: the default where the column has one, else NULL
    assert _rows(old_db, "SELECT provider_id, classes_given, course_language FROM adult_education "
                         "ORDER BY provider_id") == [("CVO-1", 0, None), ("CVO-2", 0, None)]

    # a file with the new columns, correcting CVO-1's month: stored, and the old row moves to _replaced
    new = tmp_path / "new.csv"
    new.write_bytes(csv_bytes(rows_from([valid("adult_education", new_enrolments="9", classes_given="3",
                                               course_language="Dutch")])))
    loaded = _cli(grown, "load", "--db", old_db, "--dataset", "adult_education", new)
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded 1 row as batch 2" in loaded.stdout
    assert _rows(old_db, "SELECT provider_id, new_enrolments, classes_given, course_language FROM adult_education "
                         "ORDER BY provider_id") == [("CVO-1", 9, 3, "Dutch"), ("CVO-2", 5, 0, None)]
    assert _rows(old_db, "SELECT provider_id, new_enrolments, classes_given, course_language, replaced_by "
                         "FROM adult_education_replaced") == [("CVO-1", 7, 0, None, 2)]

    # export with the grown contract: the new columns, with the text as it arrived
    out = tmp_path / "export.csv"
    assert _cli(grown, "export", "--db", old_db, "--dataset", "adult_education", "--out", out).returncode == 0
    with out.open(encoding="utf-8", newline="") as f:
        exported = {r["provider_id"]: r for r in csv.DictReader(f)}
    assert (exported["CVO-1"]["classes_given"], exported["CVO-1"]["course_language"]) == ("3", "Dutch")
    # CVO-2 arrived before the columns existed: the default's text, and empty for the one without a default
    assert (exported["CVO-2"]["classes_given"], exported["CVO-2"]["course_language"]) == ("0", "")


def test_a_reader_brings_the_database_up_to_the_contract_it_is_given(grown, old_db):
    contract = load_contract(grown)
    before = _rows(old_db, "SELECT value FROM meta WHERE key = 'schema_version'")
    assert before == [(store.schema_version(load_contract()),)]
    assert store.schema_version(contract) != before[0][0]  # the contract gained columns: another version
    with store.connect(old_db, contract=contract) as con:  # read-only, after bringing it up to date
        assert con.execute("SELECT classes_given, course_language FROM adult_education_replaced").fetchall() == []
        assert con.execute("SELECT sum(classes_given) FROM adult_education").fetchone() == (0,)  # 0 + 0
    assert _rows(old_db, "SELECT value FROM meta WHERE key = 'schema_version'") == [
        (store.schema_version(contract),)]
    # up to date now: the next reader only reads (the file is not written)
    version = store.data_version(old_db)
    with store.connect(old_db, contract=contract) as con:
        con.execute("SELECT count(*) FROM adult_education").fetchall()
    assert store.data_version(old_db) == version


def test_the_schema_version_ignores_what_does_not_shape_the_tables(tmp_path):
    # a description or an alias is documentation: no new version, so no database is rewritten for it
    copy = tmp_path / "reference"
    shutil.copytree(ROOT / "data" / "reference", copy)
    path = copy / "contract.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('description = "Number of members."',
                                                             'description = "How many members it has."'),
                    encoding="utf-8")
    assert load_contract(copy)["networks"].columns["members"].description == "How many members it has."
    assert store.schema_version(load_contract(copy)) == store.schema_version(load_contract())
