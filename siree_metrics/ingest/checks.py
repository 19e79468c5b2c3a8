"""The rules every file must follow, written as DuckDB SQL over the staged text cells.

For each contract type there is a *value* expression (the typed value, NULL when the text is not valid)
and a *problem* expression (the message for the partner, NULL when the text is fine). Working in SQL keeps
a ten-million-row file as fast to check as it is to read. Column names reach SQL only from the contract
through :func:`ident`; partner and region codes come from the reference files.
"""

from __future__ import annotations

import datetime as dt
import re
import string

from siree_metrics.i18n import t
from siree_metrics.ingest.contract import Column, Dataset
from siree_metrics.reference import Reference

SUPPRESSION = r"(?i)(c|x|z|u|:|\.\.|<\s*\d+|low)"
# (pattern, SQL turning the matched text t into a plain decimal string). One separator followed by exactly
# three digits is a thousands mark (1,500 and 1.500 are 1500), except after a lone 0 (0,005 and 0.005 are
# five thousandths) and in a column whose other cells use that separator as a decimal mark (see ``number``).
NUMBER_CASES = (
    (r"-?\d+", "{t}"),
    (r"-?(\d+[.,](\d{{1,2}}|\d{{4,}})|0[.,]\d{{3}})", "replace({t}, ',', '.')"),
    (r"-?[1-9]\d{{0,2}}(,\d{{3}})+(\.\d+)?", "replace({t}, ',', '')"),
    (r"-?[1-9]\d{{0,2}}(\.\d{{3}})+(,\d+)?", "replace(replace({t}, '.', ''), ',', '.')"),
    (r"-?[1-9]\d{{0,2}}([ \x{{00A0}}\x{{202F}}]\d{{3}})+([.,]\d+)?",
     "replace(regexp_replace({t}, '[ \\x{{00A0}}\\x{{202F}}]', '', 'g'), ',', '.')"),
)
# A cell showing that ``sep`` is a decimal mark: one ``sep`` followed by 1, 2 or 4 and more digits (other
# separators before it are thousands marks: 1.234,5), or by three digits after a lone 0 (0,005).
DECIMAL_USE = r"[\s\x{{00A0}}]*-?(\d[\d{other} \x{{00A0}}\x{{202F}}]*{sep}(\d{{1,2}}|\d{{4,}})|0{sep}\d{{3}})[\s\x{{00A0}}]*"
NUL = "chr(0)"
CENTS = r"-?\d+(\.\d{1,2}0*)?"  # a plain decimal string exact to the cent
DATE_CASES = (
    (r"\d{4}-\d{1,2}-\d{1,2}", "%Y-%m-%d", "{t}"),
    (r"\d{4}-\d{2}-\d{2}[ T]00:00(:00(\.0+)?)?", "%Y-%m-%d", "left({t}, 10)"),
    (r"\d{1,2}/\d{1,2}/\d{4}", "%d/%m/%Y", "{t}"),
    (r"\d{1,2}-\d{1,2}-\d{4}", "%d-%m-%Y", "{t}"),
    (r"\d{1,2}\.\d{1,2}\.\d{4}", "%d.%m.%Y", "{t}"),
    (r"\d{8}", "%Y%m%d", "{t}"),
)
TRUE_WORDS = ("true", "yes", "y", "1", "ja", "j", "oui", "o", "vrai", "waar")
FALSE_WORDS = ("false", "no", "n", "0", "nee", "non", "faux", "onwaar")


def ident(name: str) -> str:
    """Quote an identifier for SQL; only ever called with names from the contract or the catalogue."""
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    """A SQL string literal for reference text (codes, messages), never for a partner's values."""
    return "'" + text.replace("'", "''") + "'"


def sql_text(template: str, **exprs: str) -> str:
    """SQL for a message whose ``{placeholders}`` are SQL expressions: ``template`` (already in the reader's
    language, ``t("...")``) split into string literals and the expressions named, joined with ``||`` (so the
    message is NULL where one of them is). A translation may put the placeholders in another order.
    ``sql_text("is a region in {country}", country="left(r, 2)")`` is ``'is a region in ' || left(r, 2)``."""
    parts = []
    for literal, name, _, _ in string.Formatter().parse(template):
        if literal:
            parts.append(lit(literal))
        if name is not None:
            parts.append(exprs[name])
    return " || ".join(parts) or "''"


def in_list(expr: str, values: list[str] | tuple[str, ...]) -> str:
    """Whether ``expr`` is one of ``values`` (exactly): an ENUM cast, a hash lookup, where DuckDB would
    compare one by one or join with the list (twice as slow for the 69 region codes)."""
    return f"TRY_CAST({expr} AS ENUM({', '.join(lit(v) for v in values)})) IS NOT NULL"


def cleaned(raw: str) -> str:
    """The cell without surrounding spaces, tabs, line breaks or non-breaking spaces; NULL when empty."""
    edge = "'^[\\s\\x{00A0}]|[\\s\\x{00A0}]$'"
    strip = "'^[\\s\\x{00A0}]+|[\\s\\x{00A0}]+$'"
    return (f"nullif(CASE WHEN regexp_matches({raw}, {edge}) THEN regexp_replace({raw}, {strip}, '', 'g') "
            f"ELSE {raw} END, '')")


def number_text(t: str, decimal: str = "") -> str:
    """SQL: the cleaned text ``t`` of a number as a plain decimal string (``-1234.5``), NULL when it is not a
    number. ``decimal`` holds the separators the column's other cells use as decimal marks (``decimal_use``):
    there a lone separator followed by three digits (1,500) is a decimal mark, not a thousands mark; forms
    that say which mark is which (1.234,5 or 1,234,567) read as ever."""
    ambiguous = [(rf"-?\d+{re.escape(sep)}\d{{{{3}}}}", f"replace({{t}}, {lit(sep)}, '.')") for sep in decimal]
    cases = [*ambiguous, *NUMBER_CASES]
    return "(CASE " + " ".join(f"WHEN regexp_full_match({t}, {lit(p.format())}) THEN {sql.format(t=t)}"
                               for p, sql in cases) + " END)"


def number(t: str, decimal: str = "") -> str:
    """SQL: the value of the number in cleaned text ``t`` (see ``number_text``), NULL when it is not one."""
    return f"TRY_CAST({number_text(t, decimal)} AS DECIMAL(38,6))"


def decimal_use(raw: str, sep: str) -> str:
    """SQL, a boolean aggregate: whether any cell ``raw`` of a column uses ``sep`` (',' or '.') as a decimal
    mark (DECIMAL_USE). Run it only over the cells holding ``sep`` (``contains``): a regular expression on
    every cell of a ten-million-row file costs seconds."""
    other = "." if sep == "," else ","
    pattern = DECIMAL_USE.format(sep=re.escape(sep), other=re.escape(other))
    return f"coalesce(bool_or(regexp_full_match({raw}, {lit(pattern)})), false)"


def date(t: str) -> str:
    cases = " ".join(
        f"WHEN regexp_full_match({t}, {lit(p)}) THEN CAST(try_strptime({sql.format(t=t)}, {lit(f)}) AS DATE)"
        for p, f, sql in DATE_CASES
    )
    return f"(CASE {cases} END)"


def month(t: str) -> str:
    return (
        f"(CASE WHEN regexp_full_match({t}, '\\d{{4}}-\\d{{1,2}}') THEN CAST(try_strptime({t} || '-1', '%Y-%m-%d') AS DATE)"
        f" WHEN regexp_full_match({t}, '\\d{{1,2}}/\\d{{4}}') THEN CAST(try_strptime('1/' || {t}, '%d/%m/%Y') AS DATE)"
        f" ELSE CAST(date_trunc('month', {date(t)}) AS DATE) END)"
    )


def canonical(col: Column, v: str) -> str:
    """SQL rendering a typed value as text. The store keeps a cell's raw text only where it differs from
    this (so a clean ten-million-row file is not stored twice), and export puts it back."""
    if col.type == "date":
        return f"CAST({v} AS VARCHAR)"
    if col.type == "month":
        return f"left(CAST({v} AS VARCHAR), 7)"
    if col.type == "bool":
        return f"(CASE WHEN {v} THEN 'true' WHEN NOT {v} THEN 'false' END)"
    return f"CAST({v} AS VARCHAR)"


class Rules:
    """SQL for one dataset's columns, given the reference data and today's date. ``decimal`` gives, per
    number column, the separators its cells use as decimal marks in this file (``decimal_use``)."""

    def __init__(self, ds: Dataset, ref: Reference, today: dt.date, decimal: dict[str, str] | None = None):
        self.ds, self.ref, self.today = ds, ref, today
        self.earliest = ref.programme.earliest_date
        self.decimal = decimal or {}

    def first_day(self, col: Column) -> dt.date:
        """The earliest date a date column accepts: the project start for the results of count indicators
        (``not_before = "project_start"`` in the contract), else the earliest date SIREE data can have."""
        return self.ref.programme.start if col.not_before == "project_start" else self.earliest

    # -- values ---------------------------------------------------------------------------------------
    def fast(self, col: Column, raw: str, value: str) -> tuple[str, str] | None:
        """(read, test) for the clean, common shape of a cell (``12``, ``2019-03``, ``FRE11``): ``read`` is SQL
        reading the cell text ``raw`` at once, and ``test`` is SQL over ``raw`` and ``value`` (the column that
        holds ``read``'s result, computed once) that holds where the cell is exactly the text ``canonical``
        renders for that value, so there is no raw text to keep. Where the test fails, the cell goes through
        ``parse``. Cheap tests only; None for a column with no clean shape."""
        kind = col.type
        if kind in ("id", "text"):  # not empty, no blank (or control character) at either end, no NUL
            edges = "(0, 9, 10, 11, 12, 13, 32, 160)"
            return raw, (f"ascii({raw}) NOT IN {edges} AND ascii(right({raw}, 1)) NOT IN {edges} "
                         f"AND NOT contains({raw}, {NUL})")
        if kind == "partner":
            return raw, in_list(raw, list(self.ref.partners))
        if kind == "region":
            return raw, in_list(raw, list(self.ref.regions))
        if kind == "choice":
            return raw, in_list(raw, col.values)
        if kind == "bool":
            return f"({raw} = 'true')", in_list(raw, ("true", "false"))
        if kind == "date":
            return (f"TRY_CAST({raw} AS DATE)",
                    f"{raw} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND {value} IS NOT NULL")
        if kind == "month":
            return (f"TRY_CAST({raw} || '-01' AS DATE)",
                    f"{raw} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]' AND {value} IS NOT NULL")
        if kind == "count":  # the cast is lenient ('12.5' -> 13, ' 12'): clean only where it reads back
            return f"TRY_CAST({raw} AS BIGINT)", f"CAST({value} AS VARCHAR) = {raw}"
        return None

    def parse(self, col: Column, raw: str) -> str:
        """The typed value of the cell text ``raw`` in every accepted form, NULL when it cannot be read
        (range checks: ``valid``). The cell is cleaned first (surrounding blanks)."""
        kind, t = col.type, cleaned(raw)
        decimal = self.decimal.get(col.name, "")
        if kind in ("id", "text"):  # a NUL byte is not text (a damaged or binary export)
            return f"(CASE WHEN NOT contains({t}, {NUL}) THEN {t} END)"
        if kind == "partner":
            return f"(CASE WHEN {in_list(f'upper({t})', list(self.ref.partners))} THEN upper({t}) END)"
        if kind == "region":
            codes, regions = self.ref.code_2013_to_2016, list(self.ref.regions)
            translate = " ".join(f"WHEN {lit(old)} THEN {lit(new)}" for old, new in codes.items())
            u = f"upper({t})"
            code = f"(CASE {u} {translate} ELSE {u} END)" if codes else u
            return f"(CASE WHEN {in_list(code, regions)} THEN {code} END)"
        if kind == "choice":
            norm = f"regexp_replace(lower({t}), '[\\s\\-]+', '_', 'g')"
            return f"(CASE WHEN {in_list(norm, col.values)} THEN {norm} END)"
        if kind == "bool":
            return (f"(CASE WHEN {in_list(f'lower({t})', TRUE_WORDS)} THEN true "
                    f"WHEN {in_list(f'lower({t})', FALSE_WORDS)} THEN false END)")
        if kind == "date":
            return date(t)
        if kind == "month":
            return month(t)
        if kind == "count":
            n = number(t, decimal)
            return f"(CASE WHEN {n} = floor({n}) THEN TRY_CAST({n} AS BIGINT) END)"
        if kind == "amount":  # exact to the cent or refused, never rounded (trailing zeros are exact: 1,5000)
            plain = number_text(t, decimal)
            return (f"(CASE WHEN regexp_full_match({raw}, '-?\\d{{1,15}}(\\.\\d{{1,2}})?') THEN CAST({raw} AS DECIMAL(18,2)) "
                    f"WHEN regexp_full_match({plain}, {lit(CENTS)}) THEN TRY_CAST({plain} AS DECIMAL(18,2)) END)")
        if kind == "hours":
            return f"CAST({number(t, decimal)} AS DOUBLE)"
        raise ValueError(f"unknown column type {kind}")

    def valid(self, col: Column, u: str) -> str:
        """The parsed value ``u`` where it is in range (dates from 2017 to today, counts and hours >= 0)."""
        if col.type == "date":
            return f"(CASE WHEN {u} BETWEEN DATE {lit(str(self.first_day(col)))} AND DATE {lit(str(self.today))} THEN {u} END)"
        if col.type == "month":
            first = self.today.replace(day=1)
            return f"(CASE WHEN {u} BETWEEN DATE {lit(str(self.earliest))} AND DATE {lit(str(first))} THEN {u} END)"
        if col.type in ("count", "hours"):
            return f"(CASE WHEN {u} >= 0 THEN {u} END)"
        return u

    # -- problems ---------------------------------------------------------------------------------------
    def problem(self, col: Column, cell: str, v: str, required: bool) -> str:
        """The message for cleaned text ``cell`` whose typed value is ``v`` (NULL when the cell is fine), in
        the language current when the SQL is built (``siree_metrics.i18n``)."""
        empty = lit(t("is empty; this column is required")) if required else "NULL"
        if col.type in ("id", "text"):
            damaged = lit(t("holds a NUL character (byte 0), which is not text: the export is damaged; "
                            "export the table again"))
            return f"(CASE WHEN {cell} IS NULL THEN {empty} WHEN contains({cell}, {NUL}) THEN {damaged} END)"
        return (f"(CASE WHEN {v} IS NOT NULL THEN NULL WHEN {cell} IS NULL THEN {empty} "
                f"WHEN regexp_full_match({cell}, {lit(SUPPRESSION)}) "
                f"THEN {lit(t('is a suppression mark; the dashboard needs the exact figure'))} "
                f"WHEN {v} IS NULL THEN {self._invalid(col, cell)} END)")

    def _invalid(self, col: Column, cell: str) -> str:
        kind = col.type
        if kind == "partner":
            return lit(t("is not a SIREE partner id; use one of {partners}", partners=", ".join(self.ref.partners)))
        if kind == "region":
            return lit(t("is not a NUTS-3 region of the 2 Seas programme area (for example FRE11 for Nord, "
                         "BE212 for Arr. Mechelen, NL342 for Overig Zeeland, UKJ41 for Medway)"))
        if kind == "choice":
            return lit(t("is not one of {values}", values=", ".join(col.values)))
        if kind == "bool":
            return lit(t("is not yes or no; write true/false, yes/no, ja/nee or oui/non"))
        if kind in ("date", "month"):
            parsed = date(cell) if kind == "date" else month(cell)
            shapes = (t("is not a date; write it as YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY or YYYYMMDD")
                      if kind == "date" else t("is not a month; write it as YYYY-MM, MM/YYYY or a date"))
            first = self.first_day(col)
            too_early = lit(t("is before the project start ({first}): only results of the project count", first=first)
                            if first != self.earliest else
                            t("is before {first}, earlier than SIREE data can be", first=self.earliest))
            return (f"(CASE WHEN {parsed} > DATE {lit(str(self.today))} THEN {lit(t('is in the future'))} "
                    f"WHEN {parsed} < DATE {lit(str(first))} THEN {too_early} "
                    f"WHEN regexp_full_match({cell}, '\\d{{1,2}}/(1[3-9]|2\\d|3[01])/\\d{{4}}') "
                    f"THEN {lit(t('is not a day-first date (DD/MM/YYYY); it looks month-first'))} "
                    f"ELSE {lit(shapes)} END)")
        decimal = self.decimal.get(col.name, "")
        negative = lit(t("must be 0 or more"))
        if kind == "count":
            n = number(cell, decimal)
            return (f"(CASE WHEN {n} < 0 THEN {negative} "
                    f"WHEN {n} = floor({n}) THEN {lit(t('is too large a number to be a count'))} "
                    f"WHEN {n} IS NOT NULL THEN {lit(t('is not a whole number'))} "
                    f"ELSE {lit(t('is not a number'))} END)")
        if kind == "amount":
            plain = number_text(cell, decimal)
            cents = lit(t("has more than 2 decimals; an amount in euro is exact to the cent and is not rounded "
                          "here: write it to the cent, as in your accounts"))
            other = lit(t("is not an amount in euro; write it like 1234.56, 1234,56, 1.234,56 or 1 234,56 "
                          "(no currency sign)"))
            return (f"(CASE WHEN {plain} IS NOT NULL AND NOT regexp_full_match({plain}, {lit(CENTS)}) THEN {cents} "
                    f"ELSE {other} END)")
        if kind == "hours":
            return (f"(CASE WHEN {number(cell, decimal)} < 0 THEN {negative} "
                    f"ELSE {lit(t('is not a number of hours; write it like 7.5 or 7,5'))} END)")
        return lit(t("is not valid"))
