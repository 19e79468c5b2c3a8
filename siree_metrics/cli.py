"""The command line: ``python -m siree_metrics load|summary|export|demo|docs`` (see README).

Exit codes: 0 all well; 1 a file was refused (load, demo); 2 bad usage. No traceback reaches the user.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import duckdb

from siree_metrics.charts.style import BUDGET_STATUS_WORDS
from siree_metrics.ingest import store
from siree_metrics.ingest.contract import load_contract
from siree_metrics.ingest.load import load_file
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import Budget, Summary, summarize
from siree_metrics.reference import load_reference


class UsageError(Exception):
    pass


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


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:+.1%}" if abs(x) < 10 else f"{x:+.0%}"


def _num(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 100 else f"{x:,.2f}"


def budget_line(b: Budget) -> str:
    """The budget in one line, euro amounts exact to the cent, with the budget status in words.

    A region (no budget of its own) shows what was spent and says so; an empty selection says it is
    empty: never "EUR 0.00 of EUR 0".
    """
    word = BUDGET_STATUS_WORDS[b.status]
    if b.status == "empty_selection":
        return f"Budget: {word}: the filters cover no partner, so there is no budget and no spending"
    if b.total_eur is None or b.planned_eur is None or b.share_spent is None:
        return f"Budget: spent EUR {b.spent_eur:,.2f} in this selection; {word} (budgets belong to partners)"
    star = " *" if b.illustrative else ""
    return (f"Budget: spent EUR {b.spent_eur:,.2f} of EUR {b.total_eur:,.2f}{star} ({b.share_spent:.0%}); "
            f"even pace by now EUR {b.planned_eur:,.2f}; ERDF EUR {b.erdf_eur:,.2f}{star}; {word}")


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
    lines = [f"SIREE attainment as of {s.as_of} ({scope}); time elapsed {s.expected:.0%}",
             f"as of {s.as_of}: {s.as_of_reason}"]
    if s.final:
        lines.append("the project has ended: these are the final figures (achieved or not achieved)")
    if s.empty_selection:
        lines.append("the selection is empty: no partner matches these filters together")
    lines.append("")
    head = f"{'indicator':<34} {'value':>9} {'target':>8} {'attained':>9} {'status':<17} {'forecast':>8} {'n':>7}"
    lines += [head, "-" * len(head)]
    for r in s.indicators:
        value = _pct(r.value) if r.kind == "relative" else _num(r.value)
        target = "—" if r.target is None else _pct(r.target) if r.kind == "relative" else _num(r.target)
        attained = "—" if r.attainment is None else f"{r.attainment:.0%}"
        star = "*" if r.target_illustrative else ""
        flag = "!" if r.incomplete else ""
        lines.append(f"{r.label:<34} {value + flag:>9} {target + star:>8} {attained:>9} "
                     f"{r.status.replace('_', ' '):<17} {_num(r.forecast):>8} {r.n:>7,}")
        details = [r.change_text(), r.note if r.status not in ("achieved", "on_track", "at_risk", "behind",
                                                                "not_achieved") else "",
                   r.coverage.text() if r.kind == "relative" and r.coverage
                   and r.status not in ("not_started", "too_early", "empty_selection") else ""]
        if r.alternative and r.alternative.change is not None:
            a = r.alternative
            details.append(f"not the target, a reader may also read it as the {a.label}: {a.baseline:.1%} → "
                           f"{a.current:.1%} ({a.points:+.1f} points, {a.change:+.1%})")
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
    store.upgrade(args.db, on_wait=_wait_notice)  # a database from an earlier version: its raw text moved over
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
    try:
        args = parser().parse_args(argv)
    except SystemExit as e:  # argparse has printed the usage message
        return 2 if e.code else 0
    if hasattr(args, "db"):
        args.db = args.db or store.default_db()
    try:
        return COMMANDS[args.command](args)
    except UsageError as e:
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
