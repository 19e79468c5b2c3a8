"""Accounts and roles: who may upload, correct and see unsuppressed figures.

- **viewer**: nobody logged in. Sees published aggregates, small numbers suppressed (``metrics.suppress``).
- **partner**: logs in; uploads and corrects files of its own ``partner_id`` only and sees that partner's
  figures unsuppressed.
- **admin**: everything; retracts and restores batches; manages accounts.

Accounts live in a small SQLite file beside the database (``<db stem>.accounts.sqlite``), never in git and
never in the DuckDB file (which a load locks for writing). Passwords are hashed with Argon2id
(argon2-cffi, its default parameters). Failed logins are slowed down: after ``FREE_FAILURES`` failures in a
row, an account refuses every attempt for a delay that doubles with each further failure, up to
``MAX_DELAY_S``; a good password resets it. The first admin is made on the server's command line
(``python -m siree_metrics user add NAME --role admin``); a demo database gets demo accounts, printed by the
demo command.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

Role = Literal["viewer", "partner", "admin"]
ROLES: tuple[Role, ...] = ("partner", "admin")  # the roles an account can have (a viewer has no account)
NAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")
MIN_PASSWORD = 10
FREE_FAILURES = 3
MAX_DELAY_S = 900
SESSION_HOURS = 8  # a login lasts this long, then the user logs in again

_hasher = PasswordHasher()


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why, for the person who asked."""


@dataclass(frozen=True)
class User:
    """Who is looking: a viewer (no account), a partner or an admin."""

    name: str | None = None
    role: Role = "viewer"
    partner_id: str | None = None
    demo: bool = False  # a demo account: valid only while the database is a demo database

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may_upload_for(self, partner_id: str) -> bool:
        return self.role == "admin" or (self.role == "partner" and self.partner_id == partner_id)

    def sees_unsuppressed(self, partner_id: str | None = None) -> bool:
        """Whether small numbers of ``partner_id`` (None: of every partner) are shown to this user as they are."""
        if self.role == "admin":
            return True
        return self.role == "partner" and partner_id is not None and partner_id == self.partner_id


VIEWER = User()
COMMAND_LINE = "command line"


def accounts_path(db: Path) -> Path:
    """The accounts file of the database ``db``: beside it, named after it."""
    db = Path(db)
    return db.with_name(db.stem + ".accounts.sqlite")


@contextlib.contextmanager
def _open(db: Path) -> Iterator[sqlite3.Connection]:
    path = accounts_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("""CREATE TABLE IF NOT EXISTS accounts (
            name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('partner', 'admin')), partner_id TEXT,
            password_hash TEXT NOT NULL, created_at TEXT NOT NULL, demo INTEGER NOT NULL DEFAULT 0,
            failures INTEGER NOT NULL DEFAULT 0, locked_until TEXT)""")
        con.execute("CREATE TABLE IF NOT EXISTS account_log (at TEXT NOT NULL, name TEXT NOT NULL, event TEXT NOT NULL)")
        yield con
    finally:
        con.close()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _log(con: sqlite3.Connection, name: str, event: str) -> None:
    con.execute("INSERT INTO account_log VALUES (?, ?, ?)", (_now().isoformat(timespec="seconds"), name, event))


def add(db: Path, name: str, role: str, password: str, partner_id: str | None = None,
        partners: tuple[str, ...] = (), demo: bool = False) -> User:
    """Create an account. A partner account names one of ``partners``; an admin names none."""
    name = name.strip().lower()
    if not NAME.fullmatch(name):
        raise AccountError("an account name is 2 to 64 characters: lower-case letters, digits, '.', '_', '@' or '-'")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if role == "partner" and partner_id not in partners:
        raise AccountError(f"a partner account needs --partner, one of {', '.join(partners)}")
    if role == "admin" and partner_id:
        raise AccountError("an admin account belongs to no partner; leave out --partner")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    with _open(db) as con:
        try:
            con.execute("INSERT INTO accounts (name, role, partner_id, password_hash, created_at, demo) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (name, role, partner_id, _hasher.hash(password), _now().isoformat(timespec="seconds"), int(demo)))
        except sqlite3.IntegrityError:
            raise AccountError(f"an account named {name!r} exists already") from None
        _log(con, name, f"created ({role}{' ' + partner_id if partner_id else ''})")
    return User(name, role, partner_id)  # type: ignore[arg-type]


def remove(db: Path, name: str) -> None:
    with _open(db) as con:
        if con.execute("DELETE FROM accounts WHERE name = ?", (name.strip().lower(),)).rowcount == 0:
            raise AccountError(f"there is no account named {name!r}")
        _log(con, name, "removed")


def set_password(db: Path, name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    with _open(db) as con:
        if con.execute("UPDATE accounts SET password_hash = ?, failures = 0, locked_until = NULL WHERE name = ?",
                       (_hasher.hash(password), name.strip().lower())).rowcount == 0:
            raise AccountError(f"there is no account named {name!r}")
        _log(con, name, "password changed")


def listing(db: Path) -> list[tuple[str, str, str | None, bool]]:
    """(name, role, partner_id, demo) of every account, by name."""
    if not accounts_path(db).exists():
        return []
    with _open(db) as con:
        return [(n, r, p, bool(d)) for n, r, p, d in
                con.execute("SELECT name, role, partner_id, demo FROM accounts ORDER BY name").fetchall()]


def delay_after(failures: int) -> int:
    """Seconds an account stays shut after ``failures`` failed logins in a row: none for the first
    ``FREE_FAILURES``, then 2, 4, 8 ... seconds, at most ``MAX_DELAY_S``."""
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_DELAY_S, 2 ** (failures - FREE_FAILURES + 1))


def login(db: Path, name: str, password: str, now: dt.datetime | None = None) -> User:
    """The account's User if ``password`` is right; AccountError otherwise, with the same words whether the
    name or the password was wrong (so names cannot be guessed), or with the seconds left to wait."""
    now = now or _now()
    name = name.strip().lower()
    wrong = AccountError("wrong name or password")
    if not accounts_path(db).exists():
        raise wrong
    with _open(db) as con:
        row = con.execute("SELECT role, partner_id, password_hash, failures, locked_until, demo FROM accounts "
                          "WHERE name = ?", (name,)).fetchone()
        if row is None:
            _hasher.hash(password)  # as slow as a real check: timing tells nothing either
            raise wrong
        role, partner_id, stored, failures, locked_until, demo = row
        if locked_until and now < dt.datetime.fromisoformat(locked_until):
            wait = math.ceil((dt.datetime.fromisoformat(locked_until) - now).total_seconds())
            raise AccountError(f"too many failed attempts: try again in {wait} s")
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            failures += 1
            until = now + dt.timedelta(seconds=delay_after(failures))
            con.execute("UPDATE accounts SET failures = ?, locked_until = ? WHERE name = ?",
                        (failures, until.isoformat(), name))
            _log(con, name, "failed login")
            raise wrong from None
        con.execute("UPDATE accounts SET failures = 0, locked_until = NULL WHERE name = ?", (name,))
        _log(con, name, "login")
    return User(name, role, partner_id, bool(demo))


def demo_accounts(db: Path, partners: tuple[str, ...], partner_id: str) -> list[tuple[str, str, str]]:
    """Make (or make anew) the demo database's accounts, each with a fresh random password:
    [(name, role and partner, password)]. Only ever called for a demo database."""
    made = []
    with _open(db) as con:
        con.execute("DELETE FROM accounts WHERE demo = 1")
    for name, role, partner in (("demo-admin", "admin", None), (f"demo-{partner_id.lower()}", "partner", partner_id)):
        password = secrets.token_urlsafe(12)
        add(db, name, role, password, partner, partners, demo=True)
        made.append((name, role + (f" {partner}" if partner else ""), password))
    return made
