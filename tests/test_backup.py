"""Backup and restore (ingest.backup): a consistent copy with the accounts, restored whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import rows_from, valid

from siree_metrics import accounts
from siree_metrics.ingest import backup
from siree_metrics.ingest.backup import BackupError


def test_backup_then_restore_gives_back_the_database_as_it_was(db, tmp_path, write_csv, load, query) -> None:  # noqa: ANN001
    assert load("networks", write_csv(rows_from([valid("networks")]), name="n1.csv")).status == "loaded"
    accounts.add(db, "ann", "admin", "correct horse battery")
    saved = tmp_path / "saved" / "siree-2021-06-30.duckdb"
    assert backup.backup(db, saved) == 1
    assert accounts.login(saved, "ann", "correct horse battery").role == "admin"  # the accounts came along
    # a later load, then the restore: the later batch is gone, the first one is back as it was
    assert load("networks", write_csv(rows_from([valid("networks", network_id="N2")]), name="n2.csv")).status == "loaded"
    assert query("select count(*) from batches") == [(2,)]
    with pytest.raises(BackupError, match="a database is there already; add --replace"):
        backup.restore(saved, db)
    assert backup.restore(saved, db, replace=True) == 1
    assert query("select network_id from networks order by 1") == [("N001",)]
    # and the restored database takes loads as before
    assert load("networks", write_csv(rows_from([valid("networks", network_id="N3")]), name="n3.csv")).status == "loaded"


def test_a_backup_never_overwrites_and_needs_a_database(db, tmp_path, write_csv, load) -> None:  # noqa: ANN001
    with pytest.raises(BackupError, match="there is no database here to back up"):
        backup.backup(db, tmp_path / "b.duckdb")
    load("networks", write_csv(rows_from([valid("networks")])))
    (tmp_path / "b.duckdb").write_text("keep me")
    with pytest.raises(BackupError, match="a backup never overwrites"):
        backup.backup(db, tmp_path / "b.duckdb")
    assert (tmp_path / "b.duckdb").read_text() == "keep me"


def test_restoring_a_file_that_is_not_a_backup_changes_nothing(db, tmp_path, write_csv, load, query) -> None:  # noqa: ANN001
    load("networks", write_csv(rows_from([valid("networks")])))
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database at all")
    with pytest.raises(BackupError, match="junk.duckdb: not a SIREE backup"):
        backup.restore(junk, db, replace=True)
    assert query("select count(*) from networks") == [(1,)]
    assert not Path(f"{db}.part").exists()
