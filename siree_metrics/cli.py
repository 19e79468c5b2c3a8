"""The command line: ``python -m siree_metrics load|summary|export|demo|docs`` (see README).

``load`` and ``demo`` create the database if it does not exist; ``summary`` and ``export`` refuse a
database that does not exist (a mistyped ``--db`` is not an empty project). Every command brings an
existing database up to the contract first (``store.connect``).

Exit codes, and no traceback reaches the user:
  0    all well;
  1    a file was refused (load, demo);
  2    bad usage: an unknown option or value, a database that does not exist (summary, export) or
       cannot be used, or an error in the reference files (catalogue, contract: one line naming the
       file and the entry);
  3    a fault in the tool (a plain message asking to report it);
  130  interrupted (Ctrl-C);
  141  standard output was closed early (``summary | head -1``): what was read is fine; nothing more
       is printed (the exit status of a program killed by SIGPIPE, as ``cat`` or ``yes`` give).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import duckdb

from siree_metrics.charts import style
from siree_metrics.charts.style import BUDGET_STATUS_WORDS
from siree_metrics.ingest import store
from siree_metrics.ingest.contract import load_contract
from siree_metrics.ingest.load import load_file
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import Budget, Summary, summarize
from siree_metrics.reference import CatalogueError, load_reference


class UsageError(Exception):
    """Bad usage, reported as ``error: <message>`` with exit status 2."""


READ_COMMANDS = ("summary", "export")  # these refuse a database that does not exist


def _wait_notice() -> None:
    print("waiting for the database: another load, or a reader such as the dashboard, is using it ...",
          file=sys.stderr, flush=True)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in (text or "").split(",") if c.strip())


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m siree_metrics", description="SIREE impact metrics.")
    sub = p.add_subparsers(dest="command", required=True)
    db_help = "the DuckDB database (default: $SIREE_DB or data/siree.duckdb)"

    load = sub.add_parser("load", help="check partner files and store the ones without problems")
    load.add_argument("--db", type=Path, help=db_help)
    load.add_argument("--dataset", required=True, choices=list(load_contract()))
    load.add_argument("--by", help="who is loading (default: your user name)")
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

    export = sub.add_parser("export", help="the stored rows of a dataset as CSV, as they arrived")
    export.add_argument("--db", type=Path, help=db_help)
    export.add_argument("--dataset", required=True, choices=list(load_contract()))
    export.add_argument("--out", type=Path, help="output file (default: standard output)")

    demo = sub.add_parser("demo", help="write the demo exports to the folder demo/ beside the database "
                                       "(data/demo/ by default) and load them")
    demo.add_argument("--db", type=Path, help=db_help)
    demo.add_argument("--out", type=Path, help="folder for the demo exports (default: demo/ beside the database)")

    sub.add_parser("docs", help="regenerate docs/data-contract.md, docs/method.md and data/templates/")
    return p


def cmd_load(args: argparse.Namespace) -> int:
    refused = 0
    for path in args.files:
        result = load_file(args.db, args.dataset, path, display=str(path), loaded_by=args.by, on_wait=_wait_notice)
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if result.status == "refused":
            refused += 1
            for line in result.report():
                print(line, file=sys.stderr)
            print(f"{path}: refused ({result.problem_count or 1} problem"
                  f"{'s' if result.problem_count > 1 else ''}): nothing was loaded from this file", file=sys.stderr)
        else:
            print(f"{path}: {result.message}" + (f" ({result.description})" if result.description else ""))
    return 1 if refused else 0


def _level(x: float | None, fmt: str) -> str:
    """A count indicator's value, target or forecast as its measure declares (1,234 / 12.5), as on the cards."""
    return style.LEVEL_FORMATS[fmt](x)


def budget_line(b: Budget) -> str:
    """The budget in one line, euro amounts exact to the cent, with the budget status in words.

    A region (no budget of its own) shows what was spent and says so; an empty selection says it is
    empty: never "EUR 0.00 of EUR 0".
    """
    word = BUDGET_STATUS_WORDS[b.status]
    if b.status == "empty_selection":
        return f"Budget: {word}: the filters cover no partner, so there is no budget and no spending"
    if b.total_eur is None or b.planned_eur is None or b.share_spent is None:
        return (f"Budget: spent {style.euros_exact(b.spent_eur)} in this selection; {word} "
                "(budgets belong to partners)")
    star = " *" if b.illustrative else ""
    return (f"Budget: spent {style.euros_exact(b.spent_eur)} of {style.euros_exact(b.total_eur)}{star} "
            f"({style.percent(b.share_spent)}); even pace by now {style.euros_exact(b.planned_eur)}; "
            f"ERDF {style.euros_exact(b.erdf_eur)}{star}; {word}")


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


def format_table(s: Summary) -> str:
    f = s.filters
    scope = ", ".join(part for part in (
        f"country {','.join(f.countries)}" if f.countries else "",
        f"region {','.join(f.regions)}" if f.regions else "",
        f"partner {','.join(f.partners)}" if f.partners else "") if part) or "whole programme"
    lines = [f"SIREE attainment as of {s.as_of} ({scope}); time elapsed {style.percent(s.expected)}",
             f"as of {s.as_of}: {s.as_of_reason}"]
    if s.final:
        lines.append("the project has ended: these are the final figures (achieved or not achieved)")
    if s.empty_selection:
        lines.append("the selection is empty: no partner matches these filters together")
    lines.append("")
    head = f"{'indicator':<34} {'value':>9} {'target':>8} {'attained':>9} {'status':<17} {'forecast':>8} {'n':>7}"
    lines += [head, "-" * len(head)]
    for r in s.indicators:
        level = r.spec.format if r.spec else "number"
        relative = r.kind == "relative"  # the same digits as the Overview cards: +27.7% against +10%
        value = style.change(r.value) if relative else _level(r.value, level)
        target = style.target_change(r.target) if relative else _level(r.target, level)
        attained = style.percent(r.attainment)
        star = "*" if r.target_illustrative else ""
        flag = "!" if r.incomplete else ""
        lines.append(f"{r.label:<34} {value + flag:>9} {target + star:>8} {attained:>9} "
                     f"{r.status.replace('_', ' '):<17} {_level(r.forecast, level):>8} {r.n:>7,}")
        details = [r.change_text(), r.note if r.status not in ("achieved", "on_track", "at_risk", "behind",
                                                                "not_achieved") else "",
                   r.coverage.text() if r.kind == "relative" and r.coverage
                   and r.status not in ("not_started", "too_early", "empty_selection") else ""]
        if r.alternative and r.alternative.change is not None:
            a = r.alternative
            details.append(f"not the target, a reader may also read it as the {a.label}: {style.rate(a.baseline)} → "
                           f"{style.rate(a.current)} ({style.points(a.points)}, {style.change(a.change)})")
        lines += [f"    {d}" for d in details if d]
    if any(r.incomplete for r in s.indicators):
        lines.append("! window incomplete: a partner in the figure has fewer than 10 of 12 months with rows")
    b = s.budget
    lines += ["", budget_line(b)]
    if any(r.target_illustrative for r in s.indicators) or b.illustrative:
        lines.append("* illustrative: per-partner targets and budgets are not published (docs/method.md)")
    return "\n".join(lines)


def cmd_summary(args: argparse.Namespace) -> int:
    filters = Filters(_codes(args.country), _codes(args.region), _codes(args.partner))
    bad = filters.problems(load_reference())
    if bad:
        raise UsageError("; ".join(bad))
    with store.connect(args.db, on_wait=_wait_notice) as con:
        s = summarize(con, args.as_of, filters)
    if args.format == "json":
        print(json_text(s.to_json()))
    else:
        print(format_table(s))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    ds = load_contract()[args.dataset]
    names = list(ds.columns)
    with store.connect(args.db, on_wait=_wait_notice) as con:
        rows = store.rows_as_sent(con, ds)
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
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from siree_metrics.docs import write_docs

    for path in write_docs():
        print(f"wrote {path}")
    return 0


COMMANDS = {"load": cmd_load, "summary": cmd_summary, "export": cmd_export, "demo": cmd_demo, "docs": cmd_docs}


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
    try:
        if args.command in READ_COMMANDS and not args.db.exists():
            raise UsageError(f"there is no database at {args.db}; give the right --db (or set SIREE_DB), or "
                             "create one with 'python -m siree_metrics load' or 'python -m siree_metrics demo'")
        status = COMMANDS[args.command](args)
        sys.stdout.flush()  # here, so that a closed pipe is reported below and not at exit
        return status
    except BrokenPipeError:  # the reader stopped reading (summary | head -1): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit does not fail again
        os.close(devnull)
        return 141
    except (UsageError, CatalogueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except duckdb.IOException as e:  # --db names something that is not a DuckDB database
        print(f"error: {args.db} cannot be used as the SIREE database ({str(e).splitlines()[0]})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: nothing half-loaded (an unfinished load is rolled back)", file=sys.stderr)
        return 130
    except Exception as e:  # the last resort: a plain message, never a traceback
        print(f"error: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", file=sys.stderr)
        print("this is a fault in the SIREE tool, not in your file; please report it with the command you ran",
              file=sys.stderr)
        return 3
