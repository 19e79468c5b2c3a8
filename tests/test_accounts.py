"""Accounts: Argon2 hashes, roles, slowed-down failed logins, demo accounts (siree_metrics.accounts)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from siree_metrics import accounts
from siree_metrics.accounts import AccountError, User

PARTNERS = ("MECHELEN", "UOG")
T0 = dt.datetime(2021, 5, 1, 12, 0, 0)


def test_accounts_live_beside_the_database_with_hashed_passwords(tmp_path: Path) -> None:
    db = tmp_path / "siree.duckdb"
    accounts.add(db, "Ann", "admin", "correct horse battery")
    path = accounts.accounts_path(db)
    assert path == tmp_path / "siree.accounts.sqlite" and not db.exists()
    stored = sqlite3.connect(path).execute("select name, password_hash from accounts").fetchone()
    assert stored[0] == "ann"  # names are lower case
    assert stored[1].startswith("$argon2id$") and "correct horse" not in stored[1]
    assert accounts.login(db, "ANN ", "correct horse battery") == User("ann", "admin", None)


@pytest.mark.parametrize(("name", "role", "partner", "password", "says"), [
    ("x", "admin", None, "long enough pw", "2 to 64 characters"),
    ("bob", "viewer", None, "long enough pw", "role must be one of partner, admin"),
    ("bob", "partner", None, "long enough pw", "needs --partner, one of MECHELEN, UOG"),
    ("bob", "partner", "ELSEWHERE", "long enough pw", "needs --partner"),
    ("bob", "admin", "UOG", "long enough pw", "belongs to no partner"),
    ("bob", "admin", None, "short", "at least 10 characters"),
])
def test_bad_accounts_are_refused_with_a_reason(tmp_path: Path, name, role, partner, password, says) -> None:  # noqa: ANN001
    with pytest.raises(AccountError, match=says):
        accounts.add(tmp_path / "db.duckdb", name, role, password, partner, PARTNERS)


def test_a_name_is_taken_once(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    accounts.add(db, "mechelen", "partner", "a good password", "MECHELEN", PARTNERS)
    with pytest.raises(AccountError, match="exists already"):
        accounts.add(db, "Mechelen", "admin", "another password")


def test_roles_decide_uploads_and_unsuppressed_figures() -> None:
    viewer, partner, admin = accounts.VIEWER, User("m", "partner", "MECHELEN"), User("a", "admin")
    assert not viewer.may_upload_for("MECHELEN") and not viewer.sees_unsuppressed("MECHELEN")
    assert partner.may_upload_for("MECHELEN") and not partner.may_upload_for("UOG")
    assert partner.sees_unsuppressed("MECHELEN") and not partner.sees_unsuppressed("UOG")
    assert not partner.sees_unsuppressed(None)  # the whole programme holds other partners' small cells
    assert admin.may_upload_for("UOG") and admin.sees_unsuppressed(None)


def test_wrong_name_and_wrong_password_read_the_same(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    accounts.add(db, "ann", "admin", "correct horse battery")
    for name, password in (("ann", "wrong password"), ("nobody", "correct horse battery")):
        with pytest.raises(AccountError, match="^wrong name or password$"):
            accounts.login(db, name, password, now=T0)


def test_failed_logins_are_slowed_down_and_a_good_one_resets(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    accounts.add(db, "ann", "admin", "correct horse battery")
    # FREE_FAILURES = 3: failures 1 and 2 cost nothing; the 3rd shuts the account for 2 ** (3 - 3 + 1) = 2 s
    assert [accounts.delay_after(n) for n in (1, 2, 3, 4, 5, 20)] == [0, 0, 2, 4, 8, 900]
    for _ in range(3):
        with pytest.raises(AccountError, match="wrong name or password"):
            accounts.login(db, "ann", "guess", now=T0)
    with pytest.raises(AccountError, match="too many failed attempts: try again in 2 s"):
        accounts.login(db, "ann", "correct horse battery", now=T0)  # even the right password waits
    # 3 s later the account opens again; the right password resets the count
    assert accounts.login(db, "ann", "correct horse battery", now=T0 + dt.timedelta(seconds=3)).role == "admin"
    with pytest.raises(AccountError, match="wrong name or password"):
        accounts.login(db, "ann", "guess", now=T0 + dt.timedelta(seconds=4))  # failure 1 again: no delay
    assert accounts.login(db, "ann", "correct horse battery", now=T0 + dt.timedelta(seconds=4)).name == "ann"


def test_demo_accounts_are_made_anew_and_marked(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    accounts.add(db, "real-admin", "admin", "a real password")
    first = accounts.demo_accounts(db, PARTNERS, "MECHELEN")
    second = accounts.demo_accounts(db, PARTNERS, "MECHELEN")
    assert [(n, r) for n, r, _ in second] == [("demo-admin", "admin"), ("demo-mechelen", "partner MECHELEN")]
    assert first[0][2] != second[0][2]  # fresh random passwords each time
    with pytest.raises(AccountError):
        accounts.login(db, "demo-admin", first[0][2])
    assert accounts.login(db, "demo-mechelen", second[1][2]) == User("demo-mechelen", "partner", "MECHELEN", True)
    assert [(n, d) for n, _, _, d in accounts.listing(db)] == [
        ("demo-admin", True), ("demo-mechelen", True), ("real-admin", False)]
