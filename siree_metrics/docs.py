"""Documentation generated from the contract and the catalogue, so the two cannot drift apart.

``python -m siree_metrics docs`` writes docs/data-contract.md, docs/method.md and one blank template per
dataset in data/templates/; tests/test_docs.py fails when a committed file differs from what this writes.
"""

from __future__ import annotations

from pathlib import Path

from siree_metrics.charts import style
from siree_metrics.i18n import language, t, using
from siree_metrics.ingest.contract import load_contract
from siree_metrics.metrics.levels import alternative
from siree_metrics.metrics.summary import COMPLETE_MONTHS, first_comparable_as_of
from siree_metrics.reference import Indicator, Reference, load_reference

ROOT = Path(__file__).resolve().parent.parent
TYPE_RULES = {
    "id": "text, kept exactly as sent (leading zeros stay)",
    "partner": "one of the nine partner ids (any case)",
    "region": "NUTS-3 code of the programme area in the partner's country (2016; 2013 codes accepted)",
    "date": "YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY, YYYYMMDD or a date cell; never month-first",
    "month": "YYYY-MM, MM/YYYY, or any date (taken as its month)",
    "count": "whole number, 0 or more (12.0 and 12,0 are 12)",
    "amount": "euro amount: 1234.56, 1234,56, 1.234,56, 1,234.56 or 1 234,56; at most 2 decimals (never rounded); "
              "negative for corrections",
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
        "- Loading a byte-identical file again changes nothing; if its batch was retracted, the load says so",
        "  and that an admin restores the batch (`restore-batch`) to count its rows again. A row whose key is",
        "  already stored replaces the stored row (a correction); the replaced row is kept for audit.",
        "",
    ]
    for ds in load_contract().values():
        out += [f"## {ds.name}: {ds.label}", "", f"One row is {ds.row}. Key: partner_id, {', '.join(ds.key)}."]
        if ds.checks:
            out.append("Checks: " + "; ".join(f"{a} <= {b}" for a, b in ds.checks) + ".")
        out += ["", "| column | required | type and rule | nl | fr | meaning |", "|---|---|---|---|---|---|"]
        for col in ds.columns.values():
            rule = TYPE_RULES[col.type].format(values=", ".join(col.values))
            if col.not_before == "project_start":
                rule += "; not before the project start (earlier results are refused)"
            required = "yes" if col.name in ds.required else f"no (default {col.default})" if col.default else "no"
            if ds.name == "expenditure" and col.name == "region":
                required = "no (default: the partner's home region)"
            out.append(f"| `{col.name}` | {required} | {rule} | {', '.join(col.aliases_nl)} | "
                       f"{', '.join(col.aliases_fr)} | {col.description} |")
        out += ["", f"Template: [data/templates/{ds.name}.csv](../data/templates/{ds.name}.csv)", ""]
    return "\n".join(out)


def _number(value: float, lang: str) -> str:
    """A programme setting (0.9) in the reader's digits: "0.9" / "0,9"."""
    from babel import numbers

    return numbers.format_decimal(value, locale=style.babel_locale(lang))


def formula(ind: Indicator) -> str:
    """The one formula of ``ind`` (docs/method.md and the Method page both use it): its measure's ``formula``
    in measures.toml, filled from the entry, its ``where`` included, in the current language."""
    ds = load_contract()[ind.dataset]
    text = t(ind.measure_spec.formula, column=ind.column, date=ind.date, denominator=ind.denominator,
             where=t(" and `{column}` true", column=ind.where) if ind.where else "",
             entity=", ".join(f"`{k}`" for k in ds.key if k != ind.date), dataset_date=ds.date)
    if ind.kind == "relative":
        text = t("{formula}; value = level(current) / level(baseline) − 1", formula=text)
    return text


def target_text(ind: Indicator) -> str:
    """"+10% against the baseline year" or "40 communities by the project end", in the current language."""
    lang = language()
    if ind.kind == "relative":
        return t("{target} against the baseline year", target=style.target_change(ind.target, lang))
    return t("{target} {unit} by the project end", target=style.count(ind.target, lang), unit=t(ind.unit))


def indicator_markdown(ind: Indicator, ref: Reference | None = None) -> str:
    """Everything the Method page says about one indicator of ``ref`` (default: data/reference/), as
    Markdown bullets (no heading), in the current language. What it says follows the measure's declared
    kind, target split and format, never its name."""
    ref = ref or load_reference()
    prog = ref.programme
    lang = language()
    spec = ind.measure_spec
    numerator = t(spec.numerator, column=ind.column, denominator=ind.denominator)
    denominator = t(spec.denominator, column=ind.column, denominator=ind.denominator)
    relative = ind.kind == "relative"
    lines = [
        t("- **Target:** {target}.", target=target_text(ind)),
        t("- **Reading of the target:** {reading}", reading=t(ind.reading) if ind.reading else "—"),
    ]
    alt = alternative(ind, ref)
    if alt:
        lines.append(t("- **A reading a reader may assume instead:** the {label}. It is computed over the same "
                       "partners and windows and shown beside the figure (in the JSON as `alternative`), never as "
                       "the target's figure.", label=t(alt[0])))
    lines += [
        t("- **Formula:** {formula}.", formula=formula(ind)),
        t("- **Numerator:** {numerator}. **Denominator:** {denominator}; the change divides the current level by "
          "the baseline level.", numerator=numerator, denominator=denominator) if relative else
        t("- **Numerator:** {numerator}. **Denominator:** {denominator}.", numerator=numerator,
          denominator=denominator),
    ]
    if relative:
        windows = dict(start=style.sentence_date(prog.baseline_start, lang),
                       end=style.sentence_date(prog.baseline_end, lang), months=style.count(prog.current_months, lang))
        lines += [
            t("- **Windows:** baseline {start} to {end}; current: the {months} calendar months ending with the as-of "
              "month. The figure states its unit (the change of the share, with the points beside it).", **windows)
            if spec.format == "share" else
            t("- **Windows:** baseline {start} to {end}; current: the {months} calendar months ending with the as-of "
              "month. The figure states its unit (the change, with both levels and their unit).", **windows),
            t("- **Like with like:** only partners with rows in both windows are counted, in both windows; a "
              "partner with rows in one window only is left out of both, and the figure says which and why "
              "(\"2 of 3 partners reporting this indicator; UCR has no baseline\"). The same rule applies to the "
              "programme, country, region and partner figures."),
            t("- **Coverage:** months without rows are counted per partner in each window; a figure is flagged "
              "incomplete (! in the command line, a note on the card and the chart, `complete: false` in the JSON) "
              "when a partner in it has rows in fewer than {complete} of the 12 months of a window.",
              complete=style.count(COMPLETE_MONTHS, lang)),
            t("- **Region filter:** the same rules within the region's rows; the relative target applies unchanged."),
        ]
    else:
        lines += [
            t("- **Windows:** none: counted from the first record up to the as-of date."),
            t("- **Like with like:** not needed: a count adds up what each partner reports."),
            t("- **Coverage:** the partners with rows up to the as-of date are listed; a partner with rows and "
              "0 results counts as 0 (a value), a selection without rows has no data."),
            t("- **Region filter:** the value counts the region's rows; a region has no target of its own "
              "(status `no_target`). Under a country or partner filter the target is the sum of the partners' "
              "(illustrative) shares.") if spec.target_split == "sum" else
            t("- **Filters:** the value counts the selection's rows; the target applies unchanged under a "
              "country, region or partner filter (an average does not add up across partners)."),
        ]
    if spec.direction == "lower":
        lines.append(t("- **Direction:** lower is better; the target is a fall (a negative change).") if relative else
                     t("- **Direction:** lower is better; attainment = 1 + (target − value) / target."))
    lines.append(t("- **Source:** dataset `{dataset}`.", dataset=ind.dataset))
    return "\n".join(lines)


STATUS_MEANINGS = {  # status -> meaning; the order of attainment.Status
    "achieved": "attainment ≥ 1 (at any time, and final from the project end on)",
    "on_track": "during the project: attainment ≥ {on_track} × f (the share of time elapsed)",
    "at_risk": "during the project: attainment ≥ {at_risk} × f",
    "behind": "during the project: attainment below {at_risk} × f",
    "not_achieved": "as-of on or after the project end: attainment below 1; there is no pace left to judge",
    "not_started": "as-of before the project start ({start}): no current value, no attainment",
    "too_early": "relative indicator: the current window still overlaps the baseline year (as-of before "
                 "{first}); no current value until the window lies wholly after the baseline",
    "no_data": "the selection has no rows for the indicator (for a relative indicator: none in the current "
               "window); a selection with rows and a result of 0 shows 0 and its status",
    "baseline_missing": "relative indicator: no partner reporting now has baseline rows; attainment is empty, "
                        "never 0",
    "no_target": "count indicator under a region filter: the value is shown, a region has no target",
    "empty_selection": "the filters cover no partner (a country and a partner of another country): the "
                       "selection is empty; no value, no target",
    "hidden": "for a viewer, a count shown as <5 whose status would differ between the counts the mark stands "
              "for: no attainment and no status, which would tell the hidden count",
}


def programme_line(ref: Reference | None = None) -> str:
    """"Programme: SIREE ..., 2018-03-01 to 2021-12-31; budget EUR 4,880,802, of which ERDF EUR 2,928,481."."""
    prog = (ref or load_reference()).programme
    lang = language()
    return t("Programme: {name}, {start} to {end}; budget {budget}, of which ERDF {erdf}.", name=prog.name,
             start=style.sentence_date(prog.start, lang), end=style.sentence_date(prog.end, lang),
             budget=style.euros(prog.budget_eur, lang), erdf=style.euros(prog.erdf_eur, lang))


def windows_markdown(ref: Reference | None = None) -> str:
    """The section "Windows, attainment and status" (without its heading), in the current language."""
    prog = (ref or load_reference()).programme
    lang = language()
    first = style.sentence_date(first_comparable_as_of(prog), lang)
    values = dict(on_track=_number(prog.on_track, lang), at_risk=_number(prog.at_risk, lang),
                  start=style.sentence_date(prog.start, lang), first=first)
    return "\n".join([
        t("- Baseline window: {start} to {end}. Current window: the {months} calendar months ending with the as-of "
          "month; the first as-of date whose current window lies wholly after the baseline is {first}.",
          start=style.sentence_date(prog.baseline_start, lang), end=style.sentence_date(prog.baseline_end, lang),
          months=style.count(prog.current_months, lang), first=first),
        t("- Attainment = value / target; for relative indicators, change / target change."),
        t("- Expected by now: f = (as-of − start) / (end − start) in days, clamped to 0..1."),
        t("- Forecast (count indicators): straight line from the start, value / f, at the project end; from the "
          "end on, the value itself."),
        t("- Targets: the programme's; under a country or partner filter, the sum of the partners' shares; "
          "relative targets apply unchanged. A region filter shows values with no count target."),
        "",
        t("Statuses, in the order they are decided (before the project, during it, and from its end on):"),
        "",
        t("| status | meaning |"),
        "|---|---|",
        *(f"| `{name}` | " + t(STATUS_MEANINGS[name], **values) + " |" for name in STATUS_MEANINGS),
    ])


def as_of_markdown(ref: Reference | None = None) -> str:
    """The section "The as-of date" (without its heading), in the current language."""
    prog = (ref or load_reference()).programme
    end = style.sentence_date(prog.end, language())
    return "\n".join([
        t("- Default: for every (dataset, partner) pair with data, the month of its latest record; the default is "
          "the last day of the latest month that more than half of these pairs have reached. One stray record "
          "moves only its own pair, so it cannot move the date. Every page and the command line say why the date "
          "was chosen; `as_of` in the URL and `--as-of` on the command line override it."),
        t("- Results stop at the project end: an as-of date after {end} is capped at {end}, the figures are then "
          "final (`achieved` or `not_achieved`), and records dated later are listed on the Data page as outside "
          "the project period.", end=end),
    ])


def illustrative_markdown() -> str:
    """The section "Illustrative figures" (without its heading), in the current language."""
    return t("Per-partner budgets and per-partner shares of the count targets are not public. The ones in\n"
             "data/reference/partners.csv and partner_targets.csv are illustrative: they add up to the programme\n"
             "figures, and are labelled illustrative wherever they show. The home arrondissements of VIVES and\n"
             "Learning Shop Flanders are unverified (flagged in partners.csv).")


def context_markdown(ref: Reference | None = None) -> str:
    """The section "Context" (without its heading): first-time asylum applicants, in the current language."""
    prog = (ref or load_reference()).programme
    lang = language()
    counts = prog.context["first_time_applicants"]
    return t("{source}: {counts}; together {total} (national totals of the four countries, not of the 2 Seas "
             "area); EU-28 about {eu28}.", source=prog.context["source"],
             counts=", ".join(f"{c} {style.count(n, lang)}" for c, n in counts.items()),
             total=style.count(sum(counts.values()), lang), eu28=style.count(prog.context["eu28_total"], lang))


def method_markdown(ref: Reference | None = None) -> str:
    """docs/method.md for the catalogue ``ref`` (default: data/reference/), in the current language
    (``write_docs`` writes it in English)."""
    ref = ref or load_reference()
    out = [
        t("# Method: how every figure is computed"),
        "",
        t("_Generated from data/reference/indicators.toml and programme.toml by `python -m siree_metrics docs`._"),
        "",
        programme_line(ref),
        "",
        t("## Indicators"),
        "",
    ]
    for ind in ref.indicators:
        out += [f"### {ind.label(language())} (`{ind.id}`)", "", t(ind.description), "",
                indicator_markdown(ind, ref), ""]
    out += [
        t("## Windows, attainment and status"), "", windows_markdown(ref), "",
        t("## The as-of date"), "", as_of_markdown(ref), "",
        t("## Illustrative figures"), "", illustrative_markdown(), "",
        t("## Context"), "", context_markdown(ref), "",
    ]
    return "\n".join(out)


def template_csv(dataset: str) -> str:
    return ",".join(load_contract()[dataset].columns) + "\n"


def expected_files() -> dict[Path, str]:
    """Every generated file and its text; docs/method.md in English whatever the current language."""
    with using("en"):
        method = method_markdown()
    files = {ROOT / "docs" / "data-contract.md": contract_markdown(), ROOT / "docs" / "method.md": method}
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
