"""The command line: ``python -m siree_metrics load|summary|export|pack|demo|docs`` (see README).

``load`` and ``demo`` create the database if it does not exist; ``summary``, ``export`` and ``pack`` refuse a
database that does not exist (a mistyped ``--db`` is not an empty project). Every command brings an
existing database up to the contract first (``store.connect``).

The command line is the operator's (the admin's) tool on the server: ``user add|list|remove|passwd``
manage the accounts (the first admin is made here), ``backup`` and ``restore`` copy the database with its
accounts, ``retract`` and ``restore-batch`` take a loaded file out of the figures and put it back (logged;
``summary`` and ``export`` take ``--as-loaded-on`` to show the data as they stood at a past moment),
and ``load`` records "command line: <user name>" (or ``--by``) as who loaded each file.

Exit codes, and no traceback reaches the user:
  0    all well;
  1    a file was refused (load, demo);
  1    also: the database stayed busy (another load, or readers) beyond ``SIREE_LOAD_WAIT``: nothing done;
  2    bad usage: an unknown option or value, a database that does not exist (summary, export) or
       cannot be used (not a database, damaged, on a read-only or full disk: nothing changed), or an
       error in the reference files (catalogue, contract: one line naming the file and the entry);
  3    a fault in the tool (a plain message asking to report it);
  130  interrupted (Ctrl-C);
  141  standard output was closed early (``summary | head -1``): what was read is fine; nothing more
       is printed (the exit status of a program killed by SIGPIPE, as ``cat`` or ``yes`` give).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import errno
import getpass
import importlib
import json
import os
import re
import sys
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from siree_metrics import accounts, i18n
from siree_metrics.accounts import AccountError
from siree_metrics.charts import style
from siree_metrics.charts.style import BUDGET_STATUS_WORDS
from siree_metrics.downloads import neutralise
from siree_metrics.i18n import t
from siree_metrics.ingest import backup, limits, store
from siree_metrics.ingest.backup import BackupError
from siree_metrics.ingest.contract import load_contract
from siree_metrics.ingest.load import load_file
from siree_metrics.ingest.problems import Refused
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import Budget, Summary, summarize
from siree_metrics.reference import CatalogueError, load_reference


class _OnFirstUse:
    """A module imported when one of its names is first used. audit, suppress and meetings import pandas
    (0.35 s); a ``load`` needs none of them, and at 2 M rows that start-up is a tenth of its time."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


audit = _OnFirstUse("siree_metrics.ingest.audit")
meetings = _OnFirstUse("siree_metrics.meetings")
suppress = _OnFirstUse("siree_metrics.metrics.suppress")


class UsageError(Exception):
    """Bad usage, reported as ``error: <message>`` with exit status 2."""


READ_COMMANDS = ("summary", "export", "pack", "retract", "restore-batch", "snapshot", "note")  # these refuse a database that does not exist


def _wait_notice() -> None:
    print(t("waiting for the database: another load, or a reader such as the dashboard, is using it ..."),
          file=sys.stderr, flush=True)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def _moment(text: str) -> dt.datetime:
    """--as-loaded-on: a past moment (audit.parse_moment); a moment in the future is refused."""
    try:
        moment = audit.parse_moment(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if moment > dt.datetime.now():
        raise argparse.ArgumentTypeError(f"{text!r} is in the future; leave --as-loaded-on out for the data as "
                                         "they are now")
    return moment


def _reading(args: argparse.Namespace) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
    """The database as it is, or as loaded on ``--as-loaded-on`` (audit.connect_as_loaded_on)."""
    if args.as_loaded_on is not None:
        return audit.connect_as_loaded_on(args.db, args.as_loaded_on, on_wait=_wait_notice)
    return store.connect(args.db, on_wait=_wait_notice)


def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in (text or "").split(",") if c.strip())


def _env_lang() -> str:
    """$SIREE_LANG when it is a language the tool speaks (en, nl, fr), else English."""
    lang = os.environ.get("SIREE_LANG", "").strip().lower()
    return lang if lang in i18n.LANGUAGES else "en"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m siree_metrics", description="SIREE impact metrics.")
    sub = p.add_subparsers(dest="command", required=True)
    db_help = "the DuckDB database (default: $SIREE_DB or data/siree.duckdb)"

    load = sub.add_parser("load", help="check partner files and store the ones without problems")
    load.add_argument("--db", type=Path, help=db_help)
    load.add_argument("--dataset", required=True, choices=list(load_contract()))
    load.add_argument("--by", help="who is loading (default: your user name)")
    load.add_argument("--lang", choices=i18n.LANGUAGES, default=_env_lang(),
                      help="the language of the messages: en, nl or fr (default: $SIREE_LANG, else en)")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")

    summary = sub.add_parser("summary", help="every indicator's attainment, and the budget")
    summary.add_argument("--db", type=Path, help=db_help)
    summary.add_argument("--as-of", type=_date,
                         help="YYYY-MM-DD (default: the last day of the latest month most partner datasets have "
                              "reached, capped at the project end; a later date is capped at the end)")
    summary.add_argument("--country", help="BE, FR, NL or UK (several: comma-separated)")
    summary.add_argument("--region", help="NUTS-3 code (several: comma-separated)")
    summary.add_argument("--partner", help="partner id (several: comma-separated)")
    summary.add_argument("--format", choices=("table", "json"), default="table")
    summary.add_argument("--lang", choices=("en", "nl", "fr"), default="en",
                         help="the table's words, notes and indicator names in that language, its numbers, money "
                              "and percentages in the reader's convention (default: en; JSON stays English)")
    summary.add_argument("--as-loaded-on", type=_moment, metavar="MOMENT",
                         help="YYYY-MM-DD or 'YYYY-MM-DD HH:MM[:SS]' (server local time; a date is the end of "
                              "that day): the data exactly as they stood then, later loads, retractions and "
                              "restorations left out")
    summary.add_argument("--viewer", action="store_true",
                         help="what a viewer (no login) sees: counts of 1-4 people as <5, other counts of people "
                              "rounded to 5, rates on fewer than 5 people hidden (docs/security.md)")

    export = sub.add_parser("export", help="the stored rows of a dataset as CSV, as they arrived")
    export.add_argument("--db", type=Path, help=db_help)
    export.add_argument("--dataset", required=True, choices=list(load_contract()))
    export.add_argument("--out", type=Path, help="output file (default: standard output)")
    export.add_argument("--raw", action="store_true",
                        help="every cell exactly as stored, for the operator: no spreadsheet-formula protection "
                             "(by default a cell starting with = + - @, a tab or a carriage return, other than "
                             "a plain number, gets a leading apostrophe)")
    export.add_argument("--as-loaded-on", type=_moment, metavar="MOMENT",
                        help="YYYY-MM-DD or 'YYYY-MM-DD HH:MM[:SS]' (server local time; a date is the end of "
                             "that day): the data exactly as they stood then, later loads, retractions and "
                             "restorations left out")

    pack = sub.add_parser("pack", help="the meeting pack of one view: a PowerPoint file and an HTML report")
    pack.add_argument("--db", type=Path, help=db_help)
    pack.add_argument("--lang", choices=("en", "nl", "fr"),
                      help="language of the pack (default: en, or the snapshot's)")
    pack.add_argument("--as-of", type=_date, help="YYYY-MM-DD (default: as for summary)")
    pack.add_argument("--country", help="BE, FR, NL or UK (several: comma-separated)")
    pack.add_argument("--region", help="NUTS-3 code (several: comma-separated)")
    pack.add_argument("--partner", help="partner id (several: comma-separated)")
    pack.add_argument("--out", type=Path, required=True,
                      help="folder for siree_pack_<scope>_<as-of>.pptx and .html (created if missing)")
    pack.add_argument("--snapshot", type=int, metavar="ID",
                      help="the pack of a snapshot frozen for a meeting ('snapshot list'): its scope, as-of date and "
                           "the data exactly as loaded then, with what changed since")
    pack.add_argument("--viewer", action="store_true", help="the figures a viewer (no login) sees, as for summary")

    demo = sub.add_parser("demo", help="write the demo exports to the folder demo/ beside the database "
                                       "(data/demo/ by default) and load them")
    demo.add_argument("--db", type=Path, help=db_help)
    demo.add_argument("--out", type=Path, help="folder for the demo exports (default: demo/ beside the database)")

    sub.add_parser("docs", help="regenerate docs/data-contract.md, docs/method.md and data/templates/")
    _operator_commands(sub, db_help)
    _audit_commands(sub, db_help)
    _meeting_commands(sub, db_help)
    return p


def cmd_load(args: argparse.Namespace) -> int:
    """Load each file; the upload limits apply as ``Limits.for_command_line`` says (what a workbook
    unpacks to, its rows, the columns; not the file size), checked before a file is read. A file refused
    by a limit, or not loaded because the database stayed busy (``store.Busy``), counts as refused."""
    with i18n.using(args.lang):
        return _load_files(args)


def _load_files(args: argparse.Namespace) -> int:
    refused = 0
    file_limits = limits.configured().for_command_line()
    for path in args.files:
        try:
            if path.is_file():  # (a missing file: the loader says so)
                limits.check(path, str(path), file_limits)
            result = load_file(args.db, args.dataset, path, display=str(path),
                               loaded_by=args.by or f"{accounts.COMMAND_LINE}: {_os_user()}", on_wait=_wait_notice)
        except (Refused, store.Busy) as e:
            refused += 1
            print(f"{e}" if isinstance(e, Refused) else f"{path}: {e}", file=sys.stderr)
            print(f"{path}: " + t("refused: nothing was loaded from this file"), file=sys.stderr)
            continue
        for warning in result.warnings:
            print(t("warning: {warning}", warning=warning), file=sys.stderr)
        if result.status == "refused":
            refused += 1
            for line in result.report():
                print(line, file=sys.stderr)
            print(f"{path}: " + t("refused ({n} problem): nothing was loaded from this file"
                                  if result.problem_count <= 1 else
                                  "refused ({n} problems): nothing was loaded from this file",
                                  n=result.problem_count or 1), file=sys.stderr)
        elif result.status == "retracted":  # nothing changed, and the file's rows do not count: not a success
            refused += 1
            print(f"{path}: {result.message}", file=sys.stderr)
        else:
            print(f"{path}: {result.message}" + (f" ({result.description})" if result.description else ""))
    return 1 if refused else 0


def _level(x: float | None, fmt: str, lang: str = "en") -> str:
    """A count indicator's value, target or forecast as its measure declares (1,234 / 12.5), as on the cards."""
    return style.LEVEL_FORMATS[fmt](x, lang)


def budget_line(b: Budget, lang: str = "en") -> str:
    """The budget in one line, euro amounts exact to the cent, with the budget status in words.

    A region (no budget of its own) shows what was spent and says so; an empty selection says it is
    empty: never "EUR 0.00 of EUR 0". Amounts in ``lang``'s convention (style).
    """

    def euros(x: Decimal | None) -> str:
        return style.euros_exact(x, lang)

    word = t(BUDGET_STATUS_WORDS[b.status], lang)
    if b.status == "empty_selection":
        return t("Budget: {word}: the filters cover no partner, so there is no budget and no spending", lang,
                 word=word)
    if b.total_eur is None or b.planned_eur is None or b.share_spent is None:
        return t("Budget: spent {spent} in this selection; {word} (budgets belong to partners)", lang,
                 spent=euros(b.spent_eur), word=word)
    star = " *" if b.illustrative else ""
    return t("Budget: spent {spent} of {total}{star} ({share}); even pace by now {planned}; ERDF {erdf}{star}; "
             "{word}", lang, spent=euros(b.spent_eur), total=euros(b.total_eur), star=star,
             share=style.percent(b.share_spent, lang), planned=euros(b.planned_eur), erdf=euros(b.erdf_eur),
             word=word)


def json_text(data: object) -> str:
    """``data`` as indented JSON in which every Decimal (a euro amount) is a number with exactly two
    decimals (``509376.57``, ``1000.50``): not a string, not a float's repr. Other values as ``json``
    writes them; anything else JSON has no type for (a date) as its text."""
    token = uuid.uuid4().hex  # marks the places to put the amounts; cannot occur in the data by chance
    amounts: list[str] = []

    def default(value: object) -> object:
        if isinstance(value, Decimal):
            amounts.append(f"{value.quantize(Decimal('0.01')):f}")
            return f"{token}:{len(amounts) - 1}"
        return str(value)

    text = json.dumps(data, indent=2, default=default)
    return re.sub(f'"{token}:(\\d+)"', lambda m: amounts[int(m.group(1))], text)


# The statuses as the summary table names them (attainment.Status), the key of their translation.
SUMMARY_TABLE_STATUSES = {
    "achieved": "achieved", "on_track": "on track", "at_risk": "at risk", "behind": "behind",
    "not_achieved": "not achieved", "not_started": "not started", "too_early": "too early", "no_data": "no data",
    "baseline_missing": "baseline missing", "no_target": "no target", "empty_selection": "empty selection",
    "hidden": "not shown",
}


def format_table(s: Summary, lang: str = "en") -> str:
    """The summary as the ``summary`` command prints it, its words, indicator names and number formats in
    ``lang``; the summary's own sentences (notes, as-of reason) are in the language it was computed in
    (``cmd_summary`` computes and prints it in ``i18n.using(lang)``)."""
    f = s.filters
    ref = load_reference()
    scope = ", ".join(part for part in (
        t("country {codes}", lang, codes=",".join(f.countries)) if f.countries else "",
        t("region {codes}", lang, codes=",".join(f.regions)) if f.regions else "",
        t("partner {codes}", lang, codes=",".join(f.partners)) if f.partners else "") if part) or t(
        "whole programme", lang)
    as_of = style.sentence_date(s.as_of, lang)
    lines = [t("SIREE attainment as of {as_of} ({scope}); time elapsed {elapsed}", lang, as_of=as_of, scope=scope,
               elapsed=style.percent(s.expected, lang)),
             t("as of {as_of}: {reason}", lang, as_of=as_of, reason=s.as_of_reason)]
    if s.final:
        lines.append(t("the project has ended: these are the final figures (achieved or not achieved)", lang))
    if s.empty_selection:
        lines.append(t("the selection is empty: no partner matches these filters together", lang))
    lines.append("")
    head = (f"{t('indicator', lang):<34} {t('value', lang):>9} {t('target', lang):>8} {t('attained', lang):>9} "
            f"{t('status', lang):<17} {t('forecast', lang):>8} {'n':>7}")
    lines += [head, "-" * len(head)]
    for r in s.indicators:
        level = r.spec.format if r.spec else "number"
        relative = r.kind == "relative"  # the same digits as the Overview cards: +27.7% against +10%
        value = style.change(r.value, lang) if relative else _level(r.value, level, lang)
        value = suppress.shown_field(r, "value", s, lambda _, v=value: v)  # "<5" where suppressed (--viewer)
        n = suppress.shown_field(r, "n", s, lambda x: style.count(x, lang))
        target = style.target_change(r.target, lang) if relative else _level(r.target, level, lang)
        attained = style.percent(r.attainment, lang)
        label = ref.indicator(r.id).label(lang)
        star = "*" if r.target_illustrative else ""
        flag = "!" if r.incomplete else ""
        lines.append(f"{label:<34} {value + flag:>9} {target + star:>8} {attained:>9} "
                     f"{t(SUMMARY_TABLE_STATUSES[r.status], lang):<17} {_level(r.forecast, level, lang):>8} {n:>7}")
        details = [r.change_text(), r.note if r.status not in ("achieved", "on_track", "at_risk", "behind",
                                                                "not_achieved") else "",
                   r.coverage.text() if r.kind == "relative" and r.coverage
                   and r.status not in ("not_started", "too_early", "empty_selection") else ""]
        if r.alternative and r.alternative.change is not None:
            a = r.alternative
            details.append(t("not the target, a reader may also read it as the {label}: {baseline} → {current} "
                             "({points}, {change})", lang, label=t(a.label, lang), baseline=style.rate(a.baseline, lang),
                             current=style.rate(a.current, lang), points=style.points(a.points, lang, t("points", lang)),
                             change=style.change(a.change, lang)))
        lines += [f"    {d}" for d in details if d]
    if any(r.incomplete for r in s.indicators):
        lines.append(t("! window incomplete: a partner in the figure has fewer than 10 of 12 months with rows", lang))
    b = s.budget
    lines += ["", budget_line(b, lang)]
    if any(r.target_illustrative for r in s.indicators) or b.illustrative:
        lines.append(t("* illustrative: per-partner targets and budgets are not published (docs/method.md)", lang))
    return "\n".join(lines)


def cmd_summary(args: argparse.Namespace) -> int:
    """The summary table in ``--lang`` (its words, notes and figures); the JSON, for programs, stays English."""
    with i18n.using(args.lang if args.format == "table" else "en"):
        return _print_summary(args)


def _print_summary(args: argparse.Namespace) -> int:
    filters = Filters(_codes(args.country), _codes(args.region), _codes(args.partner))
    bad = filters.problems(load_reference())
    if bad:
        raise UsageError("; ".join(bad))
    with _reading(args) as con:
        s = summarize(con, args.as_of, filters)
    if args.viewer:
        ref = load_reference()
        s = suppress.summary(s, suppress.of(ref), ref)
    if args.format == "json":
        print(json_text(s.to_json()))
    else:
        if args.as_loaded_on is not None:
            print(t("data as loaded on {moment}: later loads, retractions and restorations left out",
                    moment=audit.moment_text(args.as_loaded_on)))
        print(format_table(s, args.lang))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    ds = load_contract()[args.dataset]
    names = list(ds.columns)
    with _reading(args) as con:
        rows = store.rows_as_sent(con, ds)
    if not args.raw:  # a spreadsheet would run a cell such as =HYPERLINK(...) (siree_metrics.downloads)
        names = [str(neutralise(n)) for n in names]
        rows = [tuple(neutralise(v) for v in row) for row in rows]
    out = args.out.open("w", encoding="utf-8", newline="") if args.out else sys.stdout
    try:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"{args.out}: {len(rows)} rows of {ds.name}", file=sys.stderr)
    return 0


def cmd_pack(args: argparse.Namespace) -> int:
    from siree_metrics.pack import build_pack, write_pack

    filters = Filters(_codes(args.country), _codes(args.region), _codes(args.partner))
    bad = filters.problems(load_reference())
    if bad:
        raise UsageError("; ".join(bad))
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out} is a file; give a folder")
    ref = load_reference()
    policy = suppress.of(ref) if args.viewer else None
    if args.snapshot is None:
        with store.connect(args.db, on_wait=_wait_notice) as con:
            pack = build_pack(con, args.lang or "en", filters, args.as_of, policy=policy)
    else:
        if filters != Filters() or args.as_of is not None:
            raise UsageError("--snapshot has its own filters and as-of date; leave out --country, --region, "
                             "--partner and --as-of")
        with store.connect(args.db, on_wait=_wait_notice) as con:
            snap = meetings.snapshot(con, args.snapshot)
            if snap is None:
                raise UsageError(f"there is no snapshot {args.snapshot}; 'snapshot list' lists them")
            since = meetings.changes_since(con, snap)
        with meetings.reading(args.db, snap, on_wait=_wait_notice) as con:
            pack = build_pack(con, args.lang or snap.lang, snap.filters, snap.as_of, policy=policy, snapshot=snap,
                              changes=since)
    for path in write_pack(pack, args.out):  # written after the connection is closed: loads need not wait
        print(path)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from siree_metrics.demo.build import NotADemoDatabase, build_demo_database

    refused = 0
    try:
        results = build_demo_database(args.db, args.out, on_wait=_wait_notice)
    except NotADemoDatabase as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for result in results:
        if result.status == "refused":
            refused += 1
            print("\n".join(result.report()), file=sys.stderr)
        else:
            print(f"{result.file}: {result.message}")
    if refused:
        print(f"demo database unfinished: {refused} demo files refused", file=sys.stderr)
        return 1
    print(f"demo database ready: {args.db} (DEMO DATA: fictional figures that tell a plausible story)")
    ref = load_reference()
    partner = "MECHELEN" if "MECHELEN" in ref.partners else next(iter(ref.partners))
    print("demo accounts, for this demo database only (new passwords at every demo build):")
    for name, role, password in accounts.demo_accounts(args.db, tuple(ref.partners), partner):
        print(f"  {name:<18} {role:<18} password: {password}")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from siree_metrics.docs import write_docs

    for path in write_docs():
        print(f"wrote {path}")
    return 0


# -- the operator's commands: accounts, backup and restore -------------------------------------------------------

def _operator_commands(sub: argparse._SubParsersAction, db_help: str) -> None:
    user = sub.add_parser("user", help="the accounts that may log in to the dashboard (partners and admins)")
    actions = user.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create an account (the first admin is made this way)")
    add.add_argument("name", metavar="NAME", help="lower-case letters, digits, '.', '_', '@' or '-' "
                                                   "(an e-mail address where an identity provider is used)")
    add.add_argument("--role", required=True, choices=accounts.ROLES)
    add.add_argument("--partner", help="the partner id of a partner account (MECHELEN, UOG, ...)")
    listing = actions.add_parser("list", help="every account: name, role, partner")
    remove = actions.add_parser("remove", help="delete an account")
    remove.add_argument("name", metavar="NAME")
    passwd = actions.add_parser("passwd", help="set a new password (and forget the failed logins)")
    passwd.add_argument("name", metavar="NAME")
    for action in (add, listing, remove, passwd):
        action.add_argument("--db", type=Path, help=db_help + "; the accounts are in a file beside it")
    for action in (add, passwd):
        action.add_argument("--password-stdin", action="store_true",
                            help="read the password from the first line of standard input (scripts) instead "
                                 "of asking twice")

    back = sub.add_parser("backup", help="copy the database and its accounts into a new file")
    back.add_argument("--db", type=Path, help=db_help)
    back.add_argument("--out", type=Path, required=True, help="the backup file to write (never overwritten)")
    restore = sub.add_parser("restore", help="put a backup in place as the database (with its accounts)")
    restore.add_argument("--db", type=Path, help=db_help)
    restore.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE", help="the backup file")
    restore.add_argument("--replace", action="store_true", help="replace the database that is there")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"


def _new_password(args: argparse.Namespace) -> str:
    """The password: the first line of standard input with --password-stdin, else asked twice (not echoed)."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("the same password again: ") != first:
        raise UsageError("the two passwords differ; nothing was changed")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    partner = args.partner.strip().upper() if args.partner else None
    password = _new_password(args)
    user = accounts.add(args.db, args.name, args.role, password, partner, tuple(load_reference().partners))
    print(f"added {user.role} account {user.name}" + (f" for partner {user.partner_id}" if user.partner_id else "")
          + f" (in {accounts.accounts_path(args.db)})")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    rows = accounts.listing(args.db)
    if not rows:
        print(f"no accounts yet for {args.db}; add the first admin with: "
              "python -m siree_metrics user add NAME --role admin", file=sys.stderr)
    for name, role, partner, demo in rows:
        print(f"{name:<32} {role:<8} {partner or '-':<10}{'  demo' if demo else ''}".rstrip())
    return 0


def cmd_user_remove(args: argparse.Namespace) -> int:
    accounts.remove(args.db, args.name)
    print(f"removed account {args.name.strip().lower()}")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    accounts.set_password(args.db, args.name, _new_password(args))
    print(f"new password set for {args.name.strip().lower()}")
    return 0


USER_ACTIONS = {"add": cmd_user_add, "list": cmd_user_list, "remove": cmd_user_remove, "passwd": cmd_user_passwd}


def cmd_user(args: argparse.Namespace) -> int:
    return USER_ACTIONS[args.action](args)


def cmd_backup(args: argparse.Namespace) -> int:
    batches = backup.backup(args.db, args.out)
    print(f"{args.out}: backup of {args.db} ({batches} loaded files), with its accounts")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    batches = backup.restore(args.source, args.db, replace=args.replace)
    print(f"{args.db}: restored from {args.source} ({batches} loaded files), with its accounts")
    return 0


COMMANDS = {"load": cmd_load, "summary": cmd_summary, "export": cmd_export, "pack": cmd_pack, "demo": cmd_demo,
            "docs": cmd_docs}

COMMANDS.update({"user": cmd_user, "backup": cmd_backup, "restore": cmd_restore})


# -- the admin's corrections: retract and restore a batch (logged) -------------------------------------------

def _audit_commands(sub: argparse._SubParsersAction, db_help: str) -> None:
    for name, what in (("retract", "take a loaded file (batch) out of the figures; its rows are kept, the rows "
                                   "it replaced come back; logged with who, when and why"),
                       ("restore-batch", "put a retracted batch back into the figures; logged")):
        act = sub.add_parser(name, help=what)
        act.add_argument("--db", type=Path, help=db_help)
        act.add_argument("--batch", type=int, required=True, help="the batch number (the Data page lists them)")
        act.add_argument("--reason", required=True, help="why (kept in the batch log)")
        act.add_argument("--by", help="who does it (default: command line: <your user name>)")
        act.add_argument("--lang", choices=i18n.LANGUAGES, default=_env_lang(),
                         help="the language of the messages: en, nl or fr (default: $SIREE_LANG, else en)")


def cmd_audit(args: argparse.Namespace) -> int:
    act = audit.retract if args.command == "retract" else audit.restore
    by = args.by or f"{accounts.COMMAND_LINE}: {_os_user()}"
    with i18n.using(args.lang):
        try:
            done = act(args.db, args.batch, by, args.reason, on_wait=_wait_notice)
        except audit.AuditError as e:
            raise UsageError(str(e)) from None
        except store.Busy as e:  # readers or a load kept the database: nothing was done
            print(f"error: {e}", file=sys.stderr)
            return 1
        print(done.message)
    return 0


COMMANDS.update({"retract": cmd_audit, "restore-batch": cmd_audit})


# -- meetings: snapshots frozen for a meeting, committee notes (siree_metrics.meetings) ------------------------

def _meeting_commands(sub: argparse._SubParsersAction, db_help: str) -> None:
    snap = sub.add_parser("snapshot", help="freeze a view for a meeting, or list the snapshots")
    snap_sub = snap.add_subparsers(dest="action", required=True)
    add = snap_sub.add_parser("add", help="freeze the view now: its figures stay as they are now when reopened")
    add.add_argument("name", help="the meeting, such as 'Steering committee 2020-11-19'")
    add.add_argument("--db", type=Path, help=db_help)
    add.add_argument("--as-of", type=_date, help="YYYY-MM-DD (default: as for summary, fixed now)")
    add.add_argument("--country", help="BE, FR, NL or UK (several: comma-separated)")
    add.add_argument("--region", help="NUTS-3 code (several: comma-separated)")
    add.add_argument("--partner", help="partner id (several: comma-separated)")
    add.add_argument("--lang", choices=("en", "nl", "fr"), default="en")
    add.add_argument("--by", help="who freezes it (default: command line: <your user name>)")
    lst = snap_sub.add_parser("list", help="every snapshot, newest first")
    lst.add_argument("--db", type=Path, help=db_help)

    note = sub.add_parser("note", help="a committee note on an indicator and period, or the list of notes")
    note_sub = note.add_subparsers(dest="action", required=True)
    add = note_sub.add_parser("add", help="write a note (shown beside the indicator's chart and in the pack)")
    add.add_argument("indicator", help="the indicator's id (docs/method.md)")
    add.add_argument("text")
    add.add_argument("--db", type=Path, help=db_help)
    add.add_argument("--from", dest="start", type=_date, required=True, help="YYYY-MM-DD: the period's first month")
    add.add_argument("--to", dest="end", type=_date, help="YYYY-MM-DD: its last month (default: the first)")
    add.add_argument("--by", help="who writes it (default: command line: <your user name>)")
    lst = note_sub.add_parser("list", help="every note, by indicator and period")
    lst.add_argument("--db", type=Path, help=db_help)


def cmd_snapshot(args: argparse.Namespace) -> int:
    if args.action == "list":
        with store.connect(args.db, on_wait=_wait_notice) as con:
            snaps = meetings.snapshots(con)
        for s in snaps:
            scope = ",".join([*s.filters.countries, *s.filters.regions, *s.filters.partners]) or "programme"
            print(f"{s.id}\t{s.name}\tas of {s.as_of}\tfrozen {audit.moment_text(s.moment)}\t{scope}\t{s.lang}"
                  f"\t{s.made_by}")
        return 0
    filters = Filters(_codes(args.country), _codes(args.region), _codes(args.partner))
    try:
        snap = meetings.freeze(args.db, args.name, filters, args.as_of, args.by or f"{accounts.COMMAND_LINE}: "
                               f"{_os_user()}", args.lang, on_wait=_wait_notice)
    except meetings.MeetingError as e:
        raise UsageError(str(e)) from None
    print(f"snapshot {snap.id}: {snap.name}, as of {snap.as_of}, data as loaded on {audit.moment_text(snap.moment)}")
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    if args.action == "list":
        with store.connect(args.db, on_wait=_wait_notice) as con:
            found = meetings.notes(con)
        for n in found:
            print(f"{n.id}\t{n.indicator}\t{n.line}")
        return 0
    try:
        n = meetings.add_note(args.db, args.indicator, args.start, args.end or args.start, args.text,
                              args.by or f"{accounts.COMMAND_LINE}: {_os_user()}", on_wait=_wait_notice)
    except meetings.MeetingError as e:
        raise UsageError(str(e)) from None
    print(f"note {n.id} on {n.indicator}: {n.line}")
    return 0


COMMANDS.update({"snapshot": cmd_snapshot, "note": cmd_note})


# What a failing disk means, in words: by errno (lock files, backups, exports), and by DuckDB's message.
_DISK_WORDS = {errno.EROFS: "the disk is read-only", errno.ENOSPC: "the disk is full",
               errno.EDQUOT: "the disk quota is used up", errno.EFBIG: "the file would be too large for the disk",
               errno.EACCES: "permission denied (the folder or file is read-only for this user)",
               errno.EPERM: "permission denied (the folder or file is read-only for this user)"}
_DUCKDB_DISK_WORDS = {"Read-only file system": "the disk is read-only", "No space left": "the disk is full",
                      "File too large": "the file would be too large for the disk",
                      "Permission denied": "permission denied (the folder or file is read-only for this user)"}


def _fault(e: BaseException) -> int:
    """The last resort for an error of the tool itself: a plain message, never a traceback; exit status 3."""
    print(f"error: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", file=sys.stderr)
    print(t("this is a fault in the SIREE tool, not in your file; please report it with the command you ran"),
          file=sys.stderr)
    return 3


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit status (see the module docstring)."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as e:  # argparse has printed the usage message
        return 2 if e.code else 0
    except CatalogueError as e:  # the parser lists the contract's datasets
        print(f"error: {e}", file=sys.stderr)
        return 2
    if hasattr(args, "db"):
        args.db = args.db or store.default_db()
    with i18n.using(getattr(args, "lang", None) or _env_lang()):  # every message in the command's language
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    """Run the parsed command; its exit status, every failure reported in words (never a traceback)."""
    try:
        if args.command in READ_COMMANDS and not args.db.exists():
            raise UsageError(t("there is no database at {db}; give the right --db (or set SIREE_DB), or create one "
                               "with 'python -m siree_metrics load' or 'python -m siree_metrics demo'", db=args.db))
        status = COMMANDS[args.command](args)
        sys.stdout.flush()  # here, so that a closed pipe is reported below and not at exit
        return status
    except BrokenPipeError:  # the reader stopped reading (summary | head -1): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit does not fail again
        os.close(devnull)
        return 141
    except (UsageError, CatalogueError, AccountError, BackupError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except store.Busy as e:  # another load or readers kept the database (demo, restore, ...): nothing was done
        print(f"error: {e}", file=sys.stderr)
        return 1
    except OSError as e:  # a lock file, backup or export on a read-only or full disk (docs/reliability.md)
        if (e.errno or 0) not in _DISK_WORDS:
            return _fault(e)
        words = t(_DISK_WORDS[e.errno or 0])
        print(f"error: {e.filename or args.db}: " + t("{words}; nothing was changed", words=words), file=sys.stderr)
        return 2
    except duckdb.IOException as e:  # --db names something that is not a DuckDB database, or its disk fails
        first = str(e).splitlines()[0]
        said = next((text for text in _DUCKDB_DISK_WORDS if text in first), None)
        if said:
            words = t(_DUCKDB_DISK_WORDS[said])
            print(f"error: {args.db}: " + t("{words}; nothing was changed", words=words) + f" ({first})",
                  file=sys.stderr)
        else:
            print(f"error: {args.db}: " + t("cannot be used as the SIREE database") + f" ({first})", file=sys.stderr)
        return 2
    except duckdb.Error as e:  # a damaged block: the file must not be touched; restore it from a backup
        first = str(e).splitlines()[0] if str(e) else ""
        if "corrupt" not in first.lower():
            return _fault(e)
        print(f"error: {args.db}: " + t("is damaged ({detail}); nothing was changed; restore it from a backup "
                                        "(docs/reliability.md)", detail=first.removeprefix("Error: ")), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(t("interrupted: nothing half-loaded (an unfinished load is rolled back)"), file=sys.stderr)
        return 130
    except Exception as e:  # the last resort: a plain message, never a traceback
        return _fault(e)
