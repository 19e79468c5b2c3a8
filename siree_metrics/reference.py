"""Reference data: the programme, its partners, regions, indicator catalogue and illustrative targets.

Everything here is read from ``data/reference/`` (TOML and CSV), checked once, and cached. The files are
the single place where a figure such as the budget or a target lives; nothing else hard-codes them.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import os
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, NoReturn, get_args

import duckdb

# $SIREE_REFERENCE_DIR: a copy of the reference folder (a test, or a contributor trying an entry out)
REFERENCE_DIR = Path(os.environ.get("SIREE_REFERENCE_DIR")
                     or Path(__file__).resolve().parent.parent / "data" / "reference")
COUNTRIES = ("BE", "FR", "NL", "UK")
TOPIC_PAGES = ("education", "entrepreneurship")  # an indicator's `page` in indicators.toml
CAPTION_KEYS = ("label", "unit", "target")  # what an indicator's caption template may name
SQL_DIR = Path(__file__).resolve().parent / "metrics" / "sql"  # where a measure's SQL files live

Kind = Literal["count", "relative"]  # a level as of a date vs a target; a change between two windows
Format = Literal["number", "share", "decimal"]  # how a level is shown: 1,234 / 34.7 % / 12.5
TargetSplit = Literal["sum", "same"]  # under a filter: the sum of the partners' shares, or the same target
Direction = Literal["higher", "lower"]  # which way is better
LEVEL_FORMATS: dict[str, str] = {"number": "{:,.0f}", "share": "{:.0%}", "decimal": "{:,.1f}"}
SQL_FILES: dict[str, tuple[str, ...]] = {  # the SQL files a measure of each kind must name (see measures.toml)
    "count": ("level", "breakdown"), "relative": ("level", "monthly", "breakdown")}


class CatalogueError(ValueError):
    """A reference file (catalogue, measures, contract) is inconsistent; ``str()`` is one line naming the file
    and the entry, such as ``indicators.toml: indicator x: measure 'mean' is not declared in measures.toml``."""


@dataclass(frozen=True)
class Measure:
    """How an indicator's level is computed and shown, declared once in measures.toml (its comments say
    what each field means)."""

    name: str
    kind: Kind
    sql: dict[str, str]  # "level", "breakdown", and "cumulative" or "monthly" -> file name in SQL_DIR
    formula: str
    numerator: str
    denominator: str
    format: Format
    target_split: TargetSplit
    direction: Direction
    accumulates: bool
    period_words: str
    compared_with: str = ""

    def show(self, level: float) -> str:
        """A level as this measure shows it: ``0.317`` -> "32%" for a share, ``1234.0`` -> "1,234"."""
        return LEVEL_FORMATS[self.format].format(level)


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    country: str
    home_region: str
    home_region_verified: bool
    budget_eur: float
    lead: bool
    note: str


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    country: str
    nuts2: str
    nuts2_name: str
    code_2013: str
    verified: bool
    note: str


@dataclass(frozen=True)
class AlternativeReading:
    """A reading of the target a reader may assume (``[indicator.alternative]``), computed beside the figure."""

    label: str
    measure: str
    column: str
    denominator: str | None = None
    where: str | None = None


@dataclass(frozen=True)
class Indicator:
    id: str
    labels: dict[str, str]
    description: str
    unit: str
    kind: Kind
    target: float
    dataset: str
    measure: str  # the name of a measure of measures.toml
    column: str
    date: str
    measure_spec: Measure  # that measure's declaration
    denominator: str | None = None
    where: str | None = None  # an SQL expression over the dataset's columns (from the catalogue, never a user)
    reading: str = ""  # the literal reading of the seed target, for the Method page
    alternative: AlternativeReading | None = None
    page: str = ""  # the topic page it appears on (one of TOPIC_PAGES), at position `order`
    order: int = 0
    caption: str = ""  # a template naming CAPTION_KEYS, filled by the page
    people: bool = True  # counts people: a viewer sees it with small-number suppression (metrics/suppress.py)

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels["en"]


@dataclass(frozen=True)
class Programme:
    name: str
    start: dt.date
    end: dt.date
    budget_eur: float
    erdf_eur: float
    baseline_start: dt.date
    baseline_end: dt.date
    current_months: int
    on_track: float
    at_risk: float
    earliest_date: dt.date
    context: dict
    budget_thresholds: dict[str, float] = field(default_factory=dict)  # keywords of attainment.budget_status
    suppression_threshold: int = 5  # [suppression] threshold: counts of 1 .. threshold-1 people shown as "<5"
    suppression_base: int = 5  # [suppression] base: other counts of people rounded to a multiple of it


@dataclass(frozen=True)
class Reference:
    programme: Programme
    partners: dict[str, Partner]
    regions: dict[str, Region]
    indicators: tuple[Indicator, ...]
    partner_targets: dict[tuple[str, str], float]  # (partner_id, indicator_id) -> illustrative target
    measures: dict[str, Measure] = field(default_factory=dict)

    @property
    def code_2013_to_2016(self) -> dict[str, str]:
        return {r.code_2013: r.code for r in self.regions.values() if r.code_2013}

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def partners_in(self, countries: list[str] | tuple[str, ...]) -> list[str]:
        return [p.id for p in self.partners.values() if p.country in countries]

    def erdf_share(self, partner_ids: list[str]) -> float:
        """ERDF of these partners: the programme's ERDF split in proportion to the (illustrative) budgets."""
        budget = sum(self.partners[p].budget_eur for p in partner_ids)
        return self.programme.erdf_eur * budget / self.programme.budget_eur


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _bool(text: str) -> bool:
    return text.strip().lower() == "true"


@functools.cache
def load_reference(directory: Path = REFERENCE_DIR) -> Reference:
    """Read and cross-check the reference files; raise ValueError naming the file on any inconsistency."""
    raw = tomllib.loads((directory / "programme.toml").read_text(encoding="utf-8"))
    prog, win, status = raw["programme"], raw["windows"], raw["status"]
    programme = Programme(
        name=prog["name"],
        start=prog["start"],
        end=prog["end"],
        budget_eur=float(prog["budget_eur"]),
        erdf_eur=float(prog["erdf_eur"]),
        baseline_start=win["baseline_start"],
        baseline_end=win["baseline_end"],
        current_months=int(win["current_months"]),
        on_track=float(status["on_track"]),
        at_risk=float(status["at_risk"]),
        earliest_date=raw["data"]["earliest_date"],
        context=raw["context"],
        budget_thresholds={k.removeprefix("budget_"): float(v) for k, v in status.items() if k.startswith("budget_")},
        **_suppression(raw.get("suppression", {})),
    )
    partners = {
        row["partner_id"]: Partner(
            id=row["partner_id"],
            name=row["name"],
            country=row["country"],
            home_region=row["home_region"],
            home_region_verified=_bool(row["home_region_verified"]),
            budget_eur=float(row["budget_eur"]),
            lead=_bool(row["lead"]),
            note=row["note"],
        )
        for row in _read_csv(directory / "partners.csv")
    }
    regions = {
        row["code"]: Region(
            code=row["code"],
            name=row["name"],
            country=row["country"],
            nuts2=row["nuts2"],
            nuts2_name=row["nuts2_name"],
            code_2013=row["code_2013"],
            verified=_bool(row["verified"]),
            note=row["note"],
        )
        for row in _read_csv(directory / "regions.csv")
    }
    measures = _measures(directory)
    catalogue = tomllib.loads((directory / "indicators.toml").read_text(encoding="utf-8"))
    indicators = tuple(_indicator(item, measures) for item in catalogue["indicator"])
    targets = {
        (row["partner_id"], row["indicator"]): float(row["target"])
        for row in _read_csv(directory / "partner_targets.csv")
    }
    reference = Reference(programme, partners, regions, indicators, targets, measures)
    _check(reference)
    return reference


def _suppression(raw: dict[str, Any]) -> dict[str, int]:
    """programme.toml's [suppression] table (absent: threshold 5, base 5): whole numbers of at least 1."""
    out = {}
    for key in ("threshold", "base"):
        value = raw.get(key, 5)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            _fail("programme.toml", f"suppression: {key} {value!r} is not a whole number of at least 1")
        out[f"suppression_{key}"] = value
    unknown = sorted(set(raw) - {"threshold", "base"})
    if unknown:
        _fail("programme.toml", f"suppression: unknown field {', '.join(unknown)}")
    return out


def _fail(file: str, message: str) -> NoReturn:
    raise CatalogueError(f"{file}: {message}")


def _choice(file: str, entry: str, key: str, value: Any, allowed: tuple[str, ...]) -> Any:
    if value not in allowed:
        _fail(file, f"{entry}: {key} {value!r} is not one of {', '.join(allowed)}")
    return value


def _measures(directory: Path) -> dict[str, Measure]:
    """measures.toml as Measures: every field declared, kinds and choices known, every SQL file present."""
    file = "measures.toml"
    raw = tomllib.loads((directory / file).read_text(encoding="utf-8"))
    optional = {"compared_with"}
    out = {}
    for name, spec in raw.items():
        entry = f"measure {name}"
        wanted = [f.name for f in fields(Measure) if f.name != "name"]
        missing = [k for k in wanted if k not in spec and k not in optional]
        if missing:
            _fail(file, f"{entry}: {', '.join(missing)} not declared")
        unknown = sorted(set(spec) - set(wanted))
        if unknown:
            _fail(file, f"{entry}: unknown field {', '.join(unknown)}")
        kind = _choice(file, entry, "kind", spec["kind"], get_args(Kind))
        sql = dict(spec["sql"])
        for role in SQL_FILES[kind]:
            if role not in sql:
                _fail(file, f"{entry}: a {kind} measure needs sql.{role}")
        for role, sql_file in sql.items():
            if not (SQL_DIR / sql_file).is_file():
                _fail(file, f"{entry}: sql.{role} file {sql_file!r} is not in siree_metrics/metrics/sql/")
        if kind == "relative" and not spec.get("compared_with"):
            _fail(file, f"{entry}: a relative measure needs compared_with")
        if not isinstance(spec["accumulates"], bool):
            _fail(file, f"{entry}: accumulates must be true or false")
        out[name] = Measure(
            name=name, kind=kind, sql=sql, formula=spec["formula"], numerator=spec["numerator"],
            denominator=spec["denominator"],
            format=_choice(file, entry, "format", spec["format"], get_args(Format)),
            target_split=_choice(file, entry, "target_split", spec["target_split"], get_args(TargetSplit)),
            direction=_choice(file, entry, "direction", spec["direction"], get_args(Direction)),
            accumulates=spec["accumulates"], period_words=spec["period_words"],
            compared_with=spec.get("compared_with", ""))
    return out


def _declared(measures: dict[str, Measure], name: str, entry: str) -> Measure:
    if name not in measures:
        _fail("indicators.toml", f"{entry}: measure {name!r} is not declared in measures.toml")
    return measures[name]


def _indicator(item: dict[str, Any], measures: dict[str, Measure]) -> Indicator:
    """One ``[[indicator]]`` of indicators.toml; a missing key or an undeclared measure is a CatalogueError."""
    entry = f"indicator {item.get('id', '?')}"
    required = ("id", "label_en", "label_nl", "label_fr", "description", "unit", "kind", "target", "dataset",
                "measure", "column", "date")
    missing = [k for k in required if k not in item]
    if missing:
        _fail("indicators.toml", f"{entry}: {', '.join(missing)} missing")
    spec = _declared(measures, item["measure"], entry)
    people = item.get("people", True)
    if not isinstance(people, bool):
        _fail("indicators.toml", f"{entry}: people {people!r} must be true or false")
    alt = item.get("alternative")
    if alt:
        _declared(measures, alt["measure"], f"{entry}: alternative")
    return Indicator(
        id=item["id"],
        labels={lang: item[f"label_{lang}"] for lang in ("en", "nl", "fr")},
        description=item["description"],
        unit=item["unit"],
        kind=_choice("indicators.toml", entry, "kind", item["kind"], get_args(Kind)),
        target=float(item["target"]),
        dataset=item["dataset"],
        measure=item["measure"],
        column=item["column"],
        date=item["date"],
        measure_spec=spec,
        denominator=item.get("denominator"),
        where=item.get("where"),
        reading=item.get("reading", ""),
        alternative=AlternativeReading(alt["label"], alt["measure"], alt["column"], alt.get("denominator"),
                                       alt.get("where")) if alt else None,
        page=item.get("page", ""),
        order=int(item.get("order", 0)),
        caption=item.get("caption", ""),
        people=people,
    )


def _check(ref: Reference) -> None:
    fail = _fail

    for p in ref.partners.values():
        if p.country not in COUNTRIES:
            fail("partners.csv", f"partner {p.id}: unknown country {p.country!r}")
        if p.home_region not in ref.regions:
            fail("partners.csv", f"partner {p.id}: home region {p.home_region!r} is not in regions.csv")
    if round(sum(p.budget_eur for p in ref.partners.values())) != round(ref.programme.budget_eur):
        fail("partners.csv", "partner budgets do not add up to the programme budget")
    seen = set()
    for ind in ref.indicators:
        if ind.id in seen:
            fail("indicators.toml", f"indicator {ind.id} is listed twice")
        seen.add(ind.id)
        if ind.page not in TOPIC_PAGES:
            fail("indicators.toml", f"indicator {ind.id}: page {ind.page!r} is not one of {', '.join(TOPIC_PAGES)}")
        try:
            unknown = sorted({f for _, f, _, _ in string.Formatter().parse(ind.caption) if f is not None}
                             - set(CAPTION_KEYS))
        except ValueError as e:  # a lone { or }
            unknown = [f"?: {e}"]
        if unknown:
            fail("indicators.toml", f"indicator {ind.id}: caption names {{{unknown[0]}}}; a caption may name only "
                 + ", ".join("{" + k + "}" for k in CAPTION_KEYS))
        spec = ind.measure_spec
        if spec.kind != ind.kind:
            fail("indicators.toml", f"indicator {ind.id}: measure {ind.measure!r} does not fit kind {ind.kind!r}")
        if ind.kind == "relative" and (ind.target < 0) != (spec.direction == "lower"):
            fail("indicators.toml", f"indicator {ind.id}: a relative target of a {spec.direction}-is-better "
                                    f"measure is a {'negative' if spec.direction == 'lower' else 'positive'} change")
        if spec.target_split == "sum":
            shares = [t for (_, i), t in ref.partner_targets.items() if i == ind.id]
            if round(sum(shares), 6) != round(ind.target, 6):
                fail("partner_targets.csv", f"partner targets for {ind.id} add up to {sum(shares)}, not {ind.target}")
    for (partner, ind_id) in ref.partner_targets:
        if partner not in ref.partners or ind_id not in seen:
            fail("partner_targets.csv", f"unknown partner or indicator in row {partner},{ind_id}")


def check_against_contract(ref: Reference, columns: Mapping[str, Mapping[str, str]]) -> None:
    """Refuse (CatalogueError, one line naming the entry) an indicator, or its alternative reading, whose
    dataset, column, date or denominator is not in the contract, or whose ``where`` is not a true/false SQL
    expression over its dataset's columns. ``columns`` is dataset -> column -> SQL type (from the contract).

    ``where`` comes from the repository's catalogue, never from a user; it is parsed and bound by DuckDB
    against an empty table with the dataset's columns, so an unknown column or a syntax error is caught at
    start-up, not in the middle of a page."""
    con = duckdb.connect()
    try:
        for ind in ref.indicators:
            readings = [(f"indicator {ind.id}", ind.column, ind.denominator, ind.where)]
            if ind.alternative:
                a = ind.alternative
                readings.append((f"indicator {ind.id}: alternative", a.column, a.denominator, a.where))
            cols = columns.get(ind.dataset)
            if cols is None:
                _fail("indicators.toml", f"indicator {ind.id}: dataset {ind.dataset!r} is not in contract.toml")
            for entry, column, denominator, where in readings:
                for role, name in (("column", column), ("date", ind.date), ("denominator", denominator)):
                    if name and name not in cols:
                        _fail("indicators.toml", f"{entry}: {role} {name!r} is not a column of {ind.dataset}")
                if where:
                    _check_where(con, entry, ind.dataset, where, cols)
    finally:
        con.close()


def _check_where(con: duckdb.DuckDBPyConnection, entry: str, dataset: str, where: str,
                 cols: Mapping[str, str]) -> None:
    quoted = ", ".join('"' + c.replace('"', '""') + f'" {t}' for c, t in cols.items())
    con.execute(f"create or replace temp table dataset ({quoted})")
    try:
        kind = con.execute(f"describe select ({where}) as w from dataset where ({where})").fetchall()[0][1]
    except duckdb.Error as e:
        message = str(e).splitlines()[0] if str(e) else type(e).__name__
        _fail("indicators.toml", f"{entry}: where {where!r} is not an expression over {dataset}'s columns "
                                 f"({message})")
    if kind != "BOOLEAN":
        _fail("indicators.toml", f"{entry}: where {where!r} is {kind}, not true/false")
