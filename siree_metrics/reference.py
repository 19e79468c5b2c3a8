"""Reference data: the programme, its partners, regions, indicator catalogue and illustrative targets.

Everything here is read from ``data/reference/`` (TOML and CSV), checked once, and cached. The files are
the single place where a figure such as the budget or a target lives; nothing else hard-codes them.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
COUNTRIES = ("BE", "FR", "NL", "UK")
MEASURES = {"count": ("distinct", "sum", "latest_sum"), "relative": ("ratio", "monthly_mean", "window_sum")}


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
class Indicator:
    id: str
    labels: dict[str, str]
    description: str
    unit: str
    kind: str  # "count" or "relative"
    target: float
    dataset: str
    measure: str
    column: str
    date: str
    denominator: str | None = None
    where: str | None = None

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


@dataclass(frozen=True)
class Reference:
    programme: Programme
    partners: dict[str, Partner]
    regions: dict[str, Region]
    indicators: tuple[Indicator, ...]
    partner_targets: dict[tuple[str, str], float]  # (partner_id, indicator_id) -> illustrative target

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
    catalogue = tomllib.loads((directory / "indicators.toml").read_text(encoding="utf-8"))
    indicators = tuple(
        Indicator(
            id=item["id"],
            labels={lang: item[f"label_{lang}"] for lang in ("en", "nl", "fr")},
            description=item["description"],
            unit=item["unit"],
            kind=item["kind"],
            target=float(item["target"]),
            dataset=item["dataset"],
            measure=item["measure"],
            column=item["column"],
            date=item["date"],
            denominator=item.get("denominator"),
            where=item.get("where"),
        )
        for item in catalogue["indicator"]
    )
    targets = {
        (row["partner_id"], row["indicator"]): float(row["target"])
        for row in _read_csv(directory / "partner_targets.csv")
    }
    reference = Reference(programme, partners, regions, indicators, targets)
    _check(reference, directory)
    return reference


def _check(ref: Reference, directory: Path) -> None:
    def fail(file: str, message: str) -> None:
        raise ValueError(f"{directory / file}: {message}")

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
        if ind.measure not in MEASURES.get(ind.kind, ()):
            fail("indicators.toml", f"indicator {ind.id}: measure {ind.measure!r} does not fit kind {ind.kind!r}")
        if ind.kind == "count":
            shares = [t for (_, i), t in ref.partner_targets.items() if i == ind.id]
            if round(sum(shares), 6) != round(ind.target, 6):
                fail("partner_targets.csv", f"partner targets for {ind.id} add up to {sum(shares)}, not {ind.target}")
    for (partner, ind_id) in ref.partner_targets:
        if partner not in ref.partners or ind_id not in seen:
            fail("partner_targets.csv", f"unknown partner or indicator in row {partner},{ind_id}")
