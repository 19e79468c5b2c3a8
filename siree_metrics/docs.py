"""Documentation generated from the contract and the catalogue, so the two cannot drift apart.

``python -m siree_metrics docs`` writes docs/data-contract.md, docs/method.md and one blank template per
dataset in data/templates/; tests/test_docs.py fails when a committed file differs from what this writes.
"""

from __future__ import annotations

from pathlib import Path

from .contract import load_contract
from .reference import load_reference

ROOT = Path(__file__).resolve().parent.parent
TYPE_RULES = {
    "id": "text, kept exactly as sent (leading zeros stay)",
    "partner": "one of the nine partner ids (any case)",
    "region": "NUTS-3 code of the programme area in the partner's country (2016; 2013 codes accepted)",
    "date": "YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY, YYYYMMDD or a date cell; never month-first",
    "month": "YYYY-MM, MM/YYYY, or any date (taken as its month)",
    "count": "whole number, 0 or more (12.0 and 12,0 are 12)",
    "amount": "euro amount: 1234.56, 1234,56, 1.234,56, 1,234.56 or 1 234,56; negative for corrections",
    "hours": "number, 0 or more; decimal point or comma",
    "bool": "true/false, yes/no, y/n, 1/0, ja/nee, oui/non, vrai/faux, waar/onwaar (any case)",
    "choice": "one of: {values}",
    "text": "free text",
}


def contract_markdown() -> str:
    out = [
        "# Data contract: the files partners send",
        "",
        "_Generated from data/reference/contract.toml by `python -m siree_metrics docs`; do not edit by hand._",
        "",
        "Every file holds one dataset, as CSV (comma, semicolon, tab or pipe; UTF-8 with or without BOM, UTF-16",
        "with BOM or Windows-1252), Parquet, or XLSX (first sheet, first row = column names). Column names match",
        "ignoring case, accents and surrounding spaces, with spaces and hyphens read as `_`; each column also",
        "accepts the Dutch (nl) and French (fr) names listed. Other columns are ignored with a warning.",
        "",
        "A file is accepted whole or refused whole. A refusal lists every problem as `FILE:ROW: COLUMN: message`,",
        "ROW as a spreadsheet shows it (header = row 1). Rules for every file:",
        "",
        "- An empty required cell is an error. Suppression marks (`c`, `x`, `z`, `u`, `low`, `<5`, `:`, `..`) are",
        "  errors: the dashboard needs exact figures.",
        "- Dates after today, or before 2017-01-01, are errors. Dates are never read month-first.",
        "- A number with one `.` or `,` followed by exactly three digits is read as thousands (`1,000` and",
        "  `1.000` are 1000); write decimals with one or two digits, or four or more.",
        "- Two rows with the same key are an error; a file with no data rows is refused. Keys are always taken",
        "  together with `partner_id`: two partners may both have a school `S001`.",
        "- Loading a byte-identical file again changes nothing. A row whose key is already stored replaces the",
        "  stored row (a correction); the replaced row is kept for audit.",
        "",
    ]
    for ds in load_contract().values():
        out += [f"## {ds.name}: {ds.label}", "", f"One row is {ds.row}. Key: partner_id, {', '.join(ds.key)}."]
        if ds.checks:
            out.append("Checks: " + "; ".join(f"{a} <= {b}" for a, b in ds.checks) + ".")
        out += ["", "| column | required | type and rule | nl | fr | meaning |", "|---|---|---|---|---|---|"]
        for col in ds.columns.values():
            rule = TYPE_RULES[col.type].format(values=", ".join(col.values))
            required = "yes" if col.name in ds.required else f"no (default {col.default})" if col.default else "no"
            if ds.name == "expenditure" and col.name == "region":
                required = "no (default: the partner's home region)"
            out.append(f"| `{col.name}` | {required} | {rule} | {', '.join(col.aliases_nl)} | "
                       f"{', '.join(col.aliases_fr)} | {col.description} |")
        out += ["", f"Template: [data/templates/{ds.name}.csv](../data/templates/{ds.name}.csv)", ""]
    return "\n".join(out)


def method_markdown() -> str:
    ref = load_reference()
    prog = ref.programme
    measures = {
        "distinct": "number of distinct (partner_id, `{column}`) with `{date}` on or before the as-of date{where}",
        "sum": "sum of `{column}` over rows with `{date}` on or before the as-of date",
        "ratio": "level(w) = sum(`{column}`) / sum(`{denominator}`) over window w",
        "monthly_mean": "level(w) = mean, over the months of w that have rows, of that month's sum(`{column}`)",
        "window_sum": "level(w) = sum(`{column}`) over window w",
    }
    out = [
        "# Method: how every figure is computed",
        "",
        "_Generated from data/reference/indicators.toml and programme.toml by `python -m siree_metrics docs`._",
        "",
        f"Programme: {prog.name}, {prog.start} to {prog.end}; budget EUR {prog.budget_eur:,.0f}, of which ERDF "
        f"EUR {prog.erdf_eur:,.0f}.",
        "",
        "## Indicators",
        "",
        "| indicator | kind | target | formula | dataset |",
        "|---|---|---|---|---|",
    ]
    for ind in ref.indicators:
        formula = measures[ind.measure].format(column=ind.column, date=ind.date, denominator=ind.denominator,
                                               where=f" and `{ind.where}` true" if ind.where else "")
        if ind.kind == "relative":
            formula += "; value = level(current) / level(baseline) − 1"
            target = f"{ind.target:+.0%}"
        else:
            target = f"{ind.target:,.0f}"
        out.append(f"| {ind.label()} (`{ind.id}`) — {ind.description} | {ind.kind} | {target} | {formula} | "
                   f"`{ind.dataset}` |")
    out += [
        "",
        "## Windows, attainment and status",
        "",
        f"- Baseline window: {prog.baseline_start} to {prog.baseline_end}. Current window: the "
        f"{prog.current_months} calendar months ending with the as-of month.",
        "- Attainment = value / target; for relative indicators, change / target change.",
        "- Expected by now: f = (as-of − start) / (end − start) in days, clamped to 0..1.",
        f"- Status: `achieved` when attainment ≥ 1; else `on_track` when attainment ≥ {prog.on_track} f; "
        f"`at_risk` when ≥ {prog.at_risk} f; else `behind`. `no_data` when the filter has no rows for the "
        "indicator (for a relative indicator: none in the current window); `baseline_missing` when a relative "
        "indicator has no baseline rows (attainment is then empty, never 0).",
        "- Forecast (count indicators): straight line from the start, value / f, at the project end.",
        "- Targets: the programme's; under a country or partner filter, the sum of the partners' shares; "
        "relative targets apply unchanged. A region filter shows values with no count target.",
        "- Default as-of date: the last day of the latest month that has data.",
        "",
        "## Illustrative figures",
        "",
        "Per-partner budgets and per-partner shares of the count targets are not public. The ones in",
        "data/reference/partners.csv and partner_targets.csv are illustrative: they add up to the programme",
        "figures, and are labelled illustrative wherever they show. The home arrondissements of VIVES and",
        "Learning Shop Flanders are unverified (flagged in partners.csv).",
        "",
        "## Context",
        "",
        f"{prog.context['source']}: "
        + ", ".join(f"{c} {n:,}" for c, n in prog.context["first_time_applicants"].items())
        + f"; together {sum(prog.context['first_time_applicants'].values()):,} (national totals of the four "
        f"countries, not of the 2 Seas area); EU-28 about {prog.context['eu28_total']:,}.",
        "",
    ]
    return "\n".join(out)


def template_csv(dataset: str) -> str:
    return ",".join(load_contract()[dataset].columns) + "\n"


def expected_files() -> dict[Path, str]:
    files = {ROOT / "docs" / "data-contract.md": contract_markdown(), ROOT / "docs" / "method.md": method_markdown()}
    for name in load_contract():
        files[ROOT / "data" / "templates" / f"{name}.csv"] = template_csv(name)
    return files


def write_docs() -> list[Path]:
    written = []
    for path, text in expected_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
