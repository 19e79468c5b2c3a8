"""Who is looking at this session: a viewer (nobody logged in), a partner or an admin (siree_metrics.accounts).

``current_user()`` is the one place pages ask; ``policy()`` is the small-number suppression that applies to
what this user sees. The sidebar's login box (``login_box``), logout, session expiry and the admin's
"Accounts" section (``accounts_admin``) live here too.

Two ways to log in. By default, an account name and password checked against the accounts file beside the
database (``accounts.login``: Argon2 hashes, failed logins slowed down). Where the operator has configured an
identity provider (an ``[auth]`` section in ``.streamlit/secrets.toml``, Streamlit's own OIDC login), that is
used instead: the provider says who the person is (``st.user.email``) and the account of that name says what
they may do; a person the provider knows but with no account of that name sees what a viewer sees.
Either way a login lasts ``accounts.SESSION_HOURS``, and a demo account works only on the demo database.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAuthError

from siree_metrics import accounts
from siree_metrics.accounts import VIEWER, AccountError, User
from siree_metrics.metrics.suppress import Policy
from siree_metrics.reference import load_reference

from . import data
from .i18n import t

USER = "siree_user"  # (User, logged in at)
EXPIRED = "siree_login_expired"  # set when a login has just expired, for the login box to say so
DEMO_ONLY = "a demo account works only on the demo database"


def plain(text: str) -> str:
    """``text`` for a Streamlit message as it is: Markdown and HTML characters escaped (``st.error`` and its
    kind render Markdown), so a name or file name can never become a link, an image or formatting."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~:$&])", r"\\\1", text)


def _expired(since: dt.datetime) -> bool:
    return dt.datetime.now() - since > dt.timedelta(hours=accounts.SESSION_HOURS)


def current_user() -> User:
    """The logged-in user of this session, or the viewer. A login older than accounts.SESSION_HOURS has
    expired (the login box then says so); a demo account stops working once the database holds no demo."""
    entry = st.session_state.get(USER)
    if not entry:
        return VIEWER
    user, since = entry
    if _expired(since):
        st.session_state.pop(USER, None)
        st.session_state[EXPIRED] = True
        return VIEWER
    if user.demo and data.demo_state() is None:
        st.session_state.pop(USER, None)
        return VIEWER
    return user


def policy(partner_ids: tuple[str, ...] = ()) -> Policy | None:
    """The suppression for what this session shows about ``partner_ids`` (empty: the whole programme or a
    country): none for an admin, none for a partner looking at its own partner only, else the viewer's."""
    user = current_user()
    if user.is_admin:
        return None
    if user.role == "partner" and len(partner_ids) == 1 and user.sees_unsuppressed(partner_ids[0]):
        return None
    return Policy()


def _admit(user: User, demo_database: bool) -> User:
    """``user`` if it may log in here; AccountError for a demo account on a database that is not the demo's."""
    if user.demo and not demo_database:
        raise AccountError(DEMO_ONLY)
    return user


def log_in(db: Path, name: str, password: str, demo_database: bool) -> User:
    """The account ``name`` if ``password`` is right and it may log in to this database (see ``_admit``);
    AccountError, whose message is for the person logging in, otherwise."""
    return _admit(accounts.login(db, name, password), demo_database)


def account_for_email(db: Path, email: str) -> User | None:
    """The account named after the e-mail address an identity provider vouches for (case does not matter);
    None when there is none (that person is a viewer here)."""
    wanted = email.strip().lower()
    for name, role, partner_id, demo in accounts.listing(db):
        if name == wanted:
            return User(name, role, partner_id, demo)  # type: ignore[arg-type]
    return None


def identity_provider() -> bool:
    """Whether the operator configured an identity provider: an ``[auth]`` section in .streamlit/secrets.toml.
    Without a secrets file (the default) the dashboard's own password login is used."""
    try:
        return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)
    except Exception:  # an unreadable secrets file: Streamlit logs it; the password login still works
        return False


def _describe(user: User) -> str:
    return t("Logged in as {name} (partner {partner})", name=user.name, partner=user.partner_id) \
        if user.role == "partner" else t("Logged in as {name} (admin)", name=user.name)


def _log_out() -> None:
    st.session_state.pop(USER, None)
    if identity_provider():
        try:
            st.logout()
        except StreamlitAuthError:
            pass
    st.rerun()


def _password_box(sb) -> None:  # noqa: ANN001 (the sidebar)
    # built only while open (key ``auth_open``): a closed box sends no form, and the page draws sooner
    with sb.expander(t("Log in (partners and admins)"), key="auth_open", on_change="rerun") as box:
        if not box.open:
            return
        with st.form("auth_login", clear_on_submit=True, border=False):
            name = st.text_input(t("Account name"), key="auth_name")
            password = st.text_input(t("Password"), type="password", key="auth_password")
            submitted = st.form_submit_button(t("Log in"), key="auth_submit")
    if not submitted:
        return
    try:
        user = log_in(data.db_path(), name, password, data.is_demo())
    except AccountError as e:
        sb.error(plain(str(e)))
        return
    st.session_state[USER] = (user, dt.datetime.now())
    st.rerun()


def _identity_box(sb) -> None:  # noqa: ANN001 (the sidebar)
    """The login through the operator's identity provider: its e-mail address names the account."""
    if not st.user.is_logged_in:
        st.session_state.pop(USER, None)
        if sb.button(t("Log in"), key="auth_oidc_login"):
            try:
                st.login()
            except StreamlitAuthError as e:
                sb.error(plain(t("The identity provider cannot be used: {why}", why=str(e).splitlines()[0])))
        return
    email = str(st.user.get("email") or "")
    entry = st.session_state.get(USER)
    if entry is None or entry[0].name != email.lower():
        user = account_for_email(data.db_path(), email)
        if user is None or (user.demo and not data.is_demo()):
            sb.info(plain(t("Signed in as {email}, which has no account here: you see what everyone sees. An "
                            "admin can add an account named {email}.", email=email)))
            if sb.button(t("Log out"), key="auth_logout"):
                _log_out()
            return
        st.session_state[USER] = (user, dt.datetime.now())


def login_box() -> None:
    """The sidebar's login box: a login form (or the identity provider's button) for a viewer; who is logged
    in and a logout button otherwise; a note when a login has just expired. A wrong password, a locked account
    or a demo account on a real database is said in the account module's words, as plain text."""
    sb = st.sidebar
    sb.divider()
    user = current_user()
    provider = identity_provider()
    if st.session_state.pop(EXPIRED, False):
        sb.info(t("Your login expired after {hours} hours: log in again.", hours=accounts.SESSION_HOURS))
        if provider and st.user.is_logged_in:
            _log_out()
    if provider:
        _identity_box(sb)
        user = current_user()
    if user.role == "viewer":
        if not provider:
            _password_box(sb)
        return
    sb.caption(plain(_describe(user)))
    if sb.button(t("Log out"), key="auth_logout"):
        _log_out()


# -- the admin's Accounts section ------------------------------------------------------------------------------


def _done(message: str) -> None:
    st.session_state["auth_admin_message"] = message
    st.rerun()


def accounts_admin() -> None:
    """The admin's "Accounts" section: every account (name, role, partner), and forms to add one, remove one
    and set a new password. Nothing is drawn for anyone but an admin. An admin cannot remove the account they
    are logged in with (so there is always one admin left who can log in)."""
    me = current_user()
    if not me.is_admin:
        return
    db = data.db_path()
    partners = load_reference().partners
    st.divider()
    st.subheader(t("Accounts"))
    st.caption(t("Kept in {file}, beside the database (passwords as Argon2 hashes). The command line does the "
                 "same: python -m siree_metrics user add|list|remove|passwd.", file=accounts.accounts_path(db).name))
    if message := st.session_state.pop("auth_admin_message", None):
        st.success(plain(message))
    listing = accounts.listing(db)
    st.dataframe(pd.DataFrame(listing, columns=["name", "role", "partner", "demo"]), hide_index=True,
                 width="stretch", column_config={"name": t("Account"), "role": t("Role"),
                                                 "partner": t("Partner"), "demo": t("Demo account")})
    add_col, remove_col, password_col = st.columns(3)
    with add_col, st.form("auth_add", clear_on_submit=True):
        st.markdown(f"**{t('Add an account')}**")
        name = st.text_input(t("Account name (or the e-mail address the identity provider gives)"), key="auth_add_name")
        role = st.selectbox(t("Role"), accounts.ROLES, key="auth_add_role")
        partner = st.selectbox(t("Partner (for a partner account)"), list(partners), key="auth_add_partner",
                               format_func=lambda p: f"{partners[p].name} ({p})")
        first = st.text_input(t("Password"), type="password", key="auth_add_password")
        again = st.text_input(t("Password again"), type="password", key="auth_add_again")
        if st.form_submit_button(t("Add"), key="auth_add_submit"):
            try:
                if first != again:
                    raise AccountError(t("the two passwords differ"))
                made = accounts.add(db, name, role, first, partner if role == "partner" else None, tuple(partners))
                _done(t("Account {name} added.", name=made.name))
            except AccountError as e:
                st.error(plain(str(e)))
    names = [n for n, *_ in listing]
    with remove_col, st.form("auth_remove"):
        st.markdown(f"**{t('Remove an account')}**")
        gone = st.selectbox(t("Account"), names, key="auth_remove_name")
        sure = st.checkbox(t("Yes, remove it"), key="auth_remove_sure")
        if st.form_submit_button(t("Remove"), key="auth_remove_submit"):
            try:
                if gone is None or not sure:
                    raise AccountError(t("choose an account and tick 'Yes, remove it'"))
                if gone == me.name:
                    raise AccountError(t("you are logged in with this account; another admin can remove it"))
                accounts.remove(db, gone)
                _done(t("Account {name} removed.", name=gone))
            except AccountError as e:
                st.error(plain(str(e)))
    with password_col, st.form("auth_passwd", clear_on_submit=True):
        st.markdown(f"**{t('Set a new password')}**")
        who = st.selectbox(t("Account"), names, key="auth_passwd_name")
        first = st.text_input(t("New password"), type="password", key="auth_passwd_password")
        again = st.text_input(t("New password again"), type="password", key="auth_passwd_again")
        if st.form_submit_button(t("Set the password"), key="auth_passwd_submit"):
            try:
                if who is None:
                    raise AccountError(t("choose an account"))
                if first != again:
                    raise AccountError(t("the two passwords differ"))
                accounts.set_password(db, who, first)
                _done(t("New password set for {name}; its failed logins are forgotten.", name=who))
            except AccountError as e:
                st.error(plain(str(e)))
