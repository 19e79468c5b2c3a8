"""Accounts and roles end to end: the partner rule in the loader, who loaded each batch, and what a viewer, a
partner and an admin see on the Data page (AppTest; logging in = setting ui.auth.USER in the session, or the
sidebar's login form), the demo-account rule, session expiry and the identity provider's e-mail mapping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ROOT, TODAY, csv_bytes, rows_from, valid
from streamlit.testing.v1 import AppTest

from siree_metrics import accounts
from siree_metrics.accounts import AccountError, User
from siree_metrics.ingest import store
from siree_metrics.ingest.load import check_file, load_file
from siree_metrics.reference import load_reference
from ui import auth

PARTNERS = tuple(load_reference().partners)
MECHELEN_ROW = valid("school_attendance")  # partner MECHELEN, region BE212, school 0590001A
MIXED = [  # spreadsheet rows 2, 3 and 4 (the header is row 1)
    MECHELEN_ROW,
    valid("school_attendance", partner_id="UOG", region="UKJ41", school_id="S9"),
    valid("school_attendance", partner_id=" uog", region="UKJ41", school_id="S8"),  # UOG too, as sent
]
OTHERS = ["mixed.csv:3: partner_id: 'UOG' is another partner's; this account may send MECHELEN's rows only",
          "mixed.csv:4: partner_id: ' uog' is another partner's; this account may send MECHELEN's rows only"]
PASSWORD = "correct horse battery"


def _file(folder: Path, name: str, records: list[dict]) -> Path:
    path = folder / name
    path.write_bytes(csv_bytes(rows_from(records)))
    return path


def _batches(db: Path) -> list[tuple]:
    with store.connect(db) as con:
        return con.execute("SELECT batch_id, file_name, loaded_by FROM batches ORDER BY batch_id").fetchall()


# -- the partner rule in the loader ------------------------------------------------------------------------------

def test_a_partner_file_with_another_partners_rows_is_refused_naming_them(tmp_path: Path) -> None:
    db = tmp_path / "siree.duckdb"
    own = _file(tmp_path, "own.csv", [MECHELEN_ROW])
    assert load_file(db, "school_attendance", own, loaded_by="ann", partners=("MECHELEN",), today=TODAY).status == "loaded"
    mixed = _file(tmp_path, "mixed.csv", MIXED)
    result = load_file(db, "school_attendance", mixed, loaded_by="ann", partners=("MECHELEN",), today=TODAY)
    assert result.status == "refused"
    assert result.report() == OTHERS  # rows 3 and 4; row 2 is MECHELEN's own
    assert result.problem_count == 2
    assert _batches(db) == [(1, "own.csv", "ann")]  # nothing of the refused file was stored


def test_the_check_names_the_same_rows_and_an_admin_may_send_any_partner(tmp_path: Path) -> None:
    mixed = _file(tmp_path, "mixed.csv", MIXED)
    checked = check_file(mixed, "school_attendance", partners=("MECHELEN",), today=TODAY)
    assert not checked.ok and checked.report() == OTHERS
    assert check_file(mixed, "school_attendance", partners=None, today=TODAY).ok  # an admin: any partner
    both = check_file(mixed, "school_attendance", partners=("MECHELEN", "UOG"), today=TODAY)
    assert both.ok


def test_another_partners_file_already_loaded_is_refused_not_recognised(tmp_path: Path) -> None:
    """A partner must not learn (nor be told "already loaded") about a file of another partner."""
    db = tmp_path / "siree.duckdb"
    theirs = _file(tmp_path, "mixed.csv", MIXED)
    assert load_file(db, "school_attendance", theirs, loaded_by="admin", today=TODAY).status == "loaded"
    again = load_file(db, "school_attendance", theirs, loaded_by="ann", partners=("MECHELEN",), today=TODAY)
    assert again.status == "refused" and again.report() == OTHERS
    assert [b[2] for b in _batches(db)] == ["admin"]


# -- the Data page for each role -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A database of one partner file (not a demo database), with accounts: an admin, a MECHELEN partner and
    a demo partner account (as a restored or mixed-up accounts file could hold)."""
    folder = tmp_path_factory.mktemp("roles")
    db = folder / "real.duckdb"
    assert load_file(db, "school_attendance", _file(folder, "own.csv", [MECHELEN_ROW]), loaded_by="ann",
                     today=TODAY).status == "loaded"
    accounts.add(db, "boss", "admin", PASSWORD)
    accounts.add(db, "ann", "partner", PASSWORD, "MECHELEN", PARTNERS)
    accounts.add(db, "demo-mechelen", "partner", PASSWORD, "MECHELEN", PARTNERS, demo=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SIREE_DB", str(db))
        mp.delenv("SIREE_UPLOADS", raising=False)
        yield db


def data_page(user: User | None = None, since: dt.datetime | None = None, login_open: bool = True) -> AppTest:
    """The Data page for ``user`` (None: a viewer), the sidebar's login box open unless ``login_open`` is False
    (a closed one holds no form: ui/auth.py)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["auth_open"] = login_open
    if user is not None:
        at.session_state[auth.USER] = (user, since or dt.datetime.now())
    at.switch_page("pages/6_Data.py").run()
    assert not at.exception
    return at


def uploaders(at: AppTest) -> list:
    return at.get("file_uploader")


def subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


def test_a_viewer_sees_no_upload_form_and_no_accounts(real_db: Path) -> None:
    at = data_page()
    assert not uploaders(at)
    assert any("Log in as a partner to upload" in i.value for i in at.info)
    assert "Accounts" not in subheaders(at)
    assert not any(t.key in ("data_who", "auth_add_name") for t in at.text_input)  # no "Your name" field
    assert at.sidebar.text_input(key="auth_name") is not None  # the login box


def test_a_partner_uploads_for_itself_and_sees_no_accounts(real_db: Path) -> None:
    at = data_page(User("ann", "partner", "MECHELEN"))
    assert len(uploaders(at)) == 1
    assert any("upload rows of partner MECHELEN only" in c.value for c in at.caption)
    assert "Accounts" not in subheaders(at)
    assert not any(t.key == "data_who" for t in at.text_input)
    assert any("Logged in as ann \\(partner MECHELEN\\)" in c.value for c in at.sidebar.caption)


def test_an_admin_sees_the_accounts_and_adds_and_removes_one(real_db: Path) -> None:
    at = data_page(User("boss", "admin", None))
    assert len(uploaders(at)) == 1
    assert "Accounts" in subheaders(at)
    table = at.dataframe[-1].value
    assert list(table["name"]) == ["ann", "boss", "demo-mechelen"]  # by name
    assert list(table["role"]) == ["partner", "admin", "partner"]
    at.text_input(key="auth_add_name").input("bert")
    at.selectbox(key="auth_add_role").set_value("partner")
    at.selectbox(key="auth_add_partner").set_value("UOG")
    at.text_input(key="auth_add_password").input(PASSWORD)
    at.text_input(key="auth_add_again").input(PASSWORD)
    at.button(key="auth_add_submit").click().run()
    assert not at.exception
    assert ("bert", "partner", "UOG", False) in accounts.listing(real_db)
    assert accounts.login(real_db, "bert", PASSWORD) == User("bert", "partner", "UOG")
    at.selectbox(key="auth_remove_name").set_value("bert")
    at.checkbox(key="auth_remove_sure").check()
    at.button(key="auth_remove_submit").click().run()
    assert not at.exception
    assert [n for n, *_ in accounts.listing(real_db)] == ["ann", "boss", "demo-mechelen"]


def test_an_admin_cannot_remove_the_account_in_use(real_db: Path) -> None:
    at = data_page(User("boss", "admin", None))
    at.selectbox(key="auth_remove_name").set_value("boss")
    at.checkbox(key="auth_remove_sure").check()
    at.button(key="auth_remove_submit").click().run()
    assert any("you are logged in with this account" in e.value for e in at.error)
    assert "boss" in [n for n, *_ in accounts.listing(real_db)]


def _log_in(at: AppTest, name: str, password: str) -> AppTest:
    at.sidebar.text_input(key="auth_name").input(name)
    at.sidebar.text_input(key="auth_password").input(password)
    at.sidebar.button(key="auth_submit").click().run()
    assert not at.exception
    return at


def test_logging_in_and_out_through_the_sidebar(real_db: Path) -> None:
    at = _log_in(data_page(), "Ann", PASSWORD)
    assert at.session_state[auth.USER][0] == User("ann", "partner", "MECHELEN")
    assert len(uploaders(at)) == 1
    at.sidebar.button(key="auth_logout").click().run()
    assert not at.exception and auth.USER not in at.session_state
    assert not uploaders(at)


def test_a_wrong_password_is_said_as_plain_text(real_db: Path) -> None:
    at = _log_in(data_page(), "ann", "not the password")
    assert [e.value for e in at.sidebar.error] == [auth.plain("wrong name or password")]
    assert auth.USER not in at.session_state and not uploaders(at)


def test_a_demo_account_is_refused_on_a_database_that_is_not_the_demo(real_db: Path) -> None:
    at = _log_in(data_page(), "demo-mechelen", PASSWORD)
    assert [e.value for e in at.sidebar.error] == [auth.plain("a demo account works only on the demo database")]
    assert auth.USER not in at.session_state and not uploaders(at)
    # the same account on a demo database logs in (the rule is the database's, not the password's)
    assert auth.log_in(real_db, "demo-mechelen", PASSWORD, demo_database=True).demo
    with pytest.raises(AccountError, match="demo database"):
        auth.log_in(real_db, "demo-mechelen", PASSWORD, demo_database=False)


def test_a_demo_session_ends_when_the_database_holds_no_demo(real_db: Path) -> None:
    at = data_page(User("demo-mechelen", "partner", "MECHELEN", demo=True))
    assert not uploaders(at) and auth.USER not in at.session_state


def test_a_login_expires_after_the_session_hours(real_db: Path) -> None:
    hours = accounts.SESSION_HOURS
    fresh = data_page(User("ann", "partner", "MECHELEN"), dt.datetime.now() - dt.timedelta(hours=hours - 1))
    assert len(uploaders(fresh)) == 1  # 7 of 8 hours: still logged in
    old = data_page(User("ann", "partner", "MECHELEN"), dt.datetime.now() - dt.timedelta(hours=hours, minutes=1))
    assert not uploaders(old)
    assert any(f"expired after {hours} hours" in i.value for i in old.sidebar.info)


def test_uploads_turned_off_by_the_operator(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIREE_UPLOADS", "off")
    at = data_page(User("boss", "admin", None))
    assert not uploaders(at)
    assert any("SIREE_UPLOADS=off" in w.value for w in at.warning)
    assert "Accounts" in subheaders(at)  # the rest of an admin's page stays


# -- the identity provider and plain text ----------------------------------------------------------------------------

def test_the_identity_providers_email_names_the_account(real_db: Path) -> None:
    accounts.add(real_db, "Cleo@Mechelen.be", "partner", PASSWORD, "MECHELEN", PARTNERS)
    assert auth.account_for_email(real_db, " cleo@MECHELEN.be") == User("cleo@mechelen.be", "partner", "MECHELEN")
    assert auth.account_for_email(real_db, "stranger@example.org") is None  # a viewer here
    accounts.remove(real_db, "cleo@mechelen.be")


def test_a_closed_login_box_sends_no_form(real_db: Path) -> None:
    at = data_page(login_open=False)
    assert any(e.label == "Log in (partners and admins)" for e in at.sidebar.expander)
    assert not any(w.key in ("auth_name", "auth_password") for w in at.sidebar.text_input)


def test_without_a_secrets_file_the_password_login_is_used(real_db: Path) -> None:
    at = data_page()
    assert at.sidebar.text_input(key="auth_name") is not None
    assert not any(b.key == "auth_oidc_login" for b in at.sidebar.button)


def test_plain_text_cannot_become_a_link_or_an_image() -> None:
    shown = auth.plain("![p](http://evil.example/h.png) <b>x</b> *a*")
    assert shown == r"\!\[p\]\(http\://evil\.example/h\.png\) \<b\>x\</b\> \*a\*"  # every mark escaped
