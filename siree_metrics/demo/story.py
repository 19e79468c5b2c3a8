"""DEMO DATA: the fictional story the demo exports tell, as rows of typed values per partner and dataset.

Every school, community, provider, teacher, entrepreneur, network and amount written here is invented. What is
real comes from the reference data (``data/reference/``, read through :class:`Facts`): the partners, their
countries, home regions and budgets, the lead partner, the regions, the project period and the baseline and
current windows. The story covers all nine partners and the eight datasets of the data contract, from the
first baseline month to the project end. Event dates start slowly, ramp up, and dip in the COVID spring of
2020.

The story at the project end, with the indicator formulas of the catalogue over the whole project:
- learning communities 44 (target 40): achieved;
- children in school +23 % (target +20 %): achieved;
- parent involvement +9.5 % (target +10 %): on track;
- adult education inflow +4 % (target +10 %): behind, dragged down by the Netherlands, where inflow fell;
- teachers trained 472 (target 450): achieved, with some unfinished trainings and teachers who did 2-3;
- new entrepreneurs 42 (target 50) and jobs created 30 (target 40, jobs beyond the entrepreneurs' own, counted
  from the date a start-up reports them): at risk, France lagging;
- support networks 4 (target 4): achieved;
- expenditure 88 % of the programme budget, a little behind time elapsed (ADICE furthest behind).
The relative changes are made exact by a last small adjustment of the current-year counts (see `_nudge`).

Generation is deterministic: every dataset draws from its own `random.Random` seeded from SEED, so two runs
give the same rows. How the rows are spelled in files is :mod:`siree_metrics.demo.formats`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from siree_metrics.reference import Reference

Row = dict[str, Any]

SEED = 20180301

# Relative changes the story needs (current year against baseline year), see the module docstring.
CHILDREN_CHANGE = 0.23
PARENT_CHANGE = 0.095
ADULT_INFLOW_CHANGE = 0.04
SPENT_SHARE = Decimal("0.88")

# Months from the project start until the project's effect has fully built up (mid-2021).
_RAMP_MONTHS = 39

# The regions each partner works in besides its home region (which is the reference data's): the story's own
# choice, checked against the reference regions by Facts.from_reference.
_ALSO_WORKS_IN: dict[str, tuple[str, ...]] = {
    "UOG": ("UKJ43", "UKJ44", "UKJ45", "UKJ46"),
    "VIVES": ("BE254", "BE255", "BE256"),
    "MEDWAYPLUS": ("UKJ43",),
    "UCR": ("NL341",),
    "MECHELEN": ("BE211",),
    "ADICE": ("FRE12",),
    "MIDDELBURG": ("NL341",),
    "ARHUS": ("BE254",),
    "LSF": ("BE251",),
}


@dataclass(frozen=True)
class Facts:
    """What the story takes from the reference data. Windows are given as the first days of their first and
    last months; partners are in the reference's order, which is the order of the files and rows."""

    start: dt.date  # project start
    end: dt.date  # project end
    baseline: tuple[dt.date, dt.date]  # the baseline window
    current: tuple[dt.date, dt.date]  # the current window at the project end
    countries: dict[str, str]  # partner id -> country
    regions: dict[str, tuple[str, ...]]  # partner id -> regions it works in, home region first
    lead: str  # the lead partner: keeps the networks register, takes the rounding remainder of the spending
    budget: Decimal  # the programme's budget
    budgets: dict[str, Decimal]  # partner id -> its (illustrative) budget

    @classmethod
    def from_reference(cls, reference: Reference) -> Facts:
        """The facts of ``reference`` the story is set in. Raises ValueError when a region the story has a partner
        work in is not a reference region of the partner's country."""
        for partner, regions in _ALSO_WORKS_IN.items():
            for code in regions:
                region = reference.regions.get(code)
                if partner in reference.partners and (region is None
                                                      or region.country != reference.partners[partner].country):
                    raise ValueError(f"demo story: {partner} works in {code}, not a region of its country")
        programme, partners = reference.programme, reference.partners.values()
        last = programme.end.replace(day=1)
        return cls(
            start=programme.start,
            end=programme.end,
            baseline=(programme.baseline_start.replace(day=1), programme.baseline_end.replace(day=1)),
            current=(_add_months(last, 1 - programme.current_months), last),
            countries={p.id: p.country for p in partners},
            regions={p.id: (p.home_region, *_ALSO_WORKS_IN.get(p.id, ())) for p in partners},
            lead=next(p.id for p in partners if p.lead),
            budget=Decimal(str(programme.budget_eur)),
            budgets={p.id: Decimal(str(p.budget_eur)) for p in partners},
        )


def _rng(topic: str) -> random.Random:
    """Return a generator of its own for one topic, so that changing one dataset never reshuffles another."""
    return random.Random(f"{SEED}:{topic}")


def _pick_region(rng: random.Random, facts: Facts, partner: str) -> str:
    """Pick one of the partner's regions, the home region three times as likely as any other."""
    regions = facts.regions[partner]
    return rng.choices(regions, weights=[3] + [1] * (len(regions) - 1))[0]


# --------------------------------------------------------------------------------------------------------------
# Calendar


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after ``month`` (before it for a negative ``n``)."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of the months from first to last, both included."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


def _in_window(month: dt.date, window: tuple[dt.date, dt.date]) -> bool:
    return window[0] <= month <= window[1]


def _progress(facts: Facts, month: dt.date) -> float:
    """How far the project's effect has built up in a month: 0 before the start, 1 from _RAMP_MONTHS on."""
    elapsed = (month.year - facts.start.year) * 12 + month.month - facts.start.month
    return min(1.0, max(0.0, elapsed / _RAMP_MONTHS))


# Activity left while COVID measures were in force (share of the usual level), per country.
_COVID: dict[str, dict[tuple[int, int], float]] = {
    "UK": {(2020, 3): 0.6, (2020, 4): 0.15, (2020, 5): 0.25, (2020, 6): 0.5, (2021, 1): 0.6, (2021, 2): 0.7},
    "BE": {(2020, 3): 0.6, (2020, 4): 0.1, (2020, 5): 0.3, (2020, 6): 0.6, (2020, 11): 0.85},
    "FR": {(2020, 3): 0.6, (2020, 4): 0.1, (2020, 5): 0.35, (2020, 6): 0.6, (2021, 4): 0.7},
    "NL": {(2020, 3): 0.7, (2020, 4): 0.1, (2020, 5): 0.4, (2020, 6): 0.85, (2020, 12): 0.7, (2021, 1): 0.6},
}
_HOLIDAY = {7: 0.6, 8: 0.25, 12: 0.7}
# The same for project events across the four countries (meetings, trainings and registrations moved online).
_EVENT_COVID = {(2020, 3): 0.5, (2020, 4): 0.15, (2020, 5): 0.3, (2020, 6): 0.6, (2020, 11): 0.8, (2021, 1): 0.8}


def _covid(country: str, month: dt.date) -> float:
    return _COVID[country].get((month.year, month.month), 1.0)


def _activity(facts: Facts, month: dt.date) -> float:
    """Relative number of project events (trainings, start-ups...) in a month: slow start, ramp-up, COVID dip."""
    if month < facts.start:
        return 0.0
    ramp = min(1.0, 0.2 + _progress(facts, month) * 1.6)
    return ramp * _HOLIDAY.get(month.month, 1.0) * _EVENT_COVID.get((month.year, month.month), 1.0)


_CLOSED_DAYS = {(12, 25), (12, 26), (1, 1)}


def _weekday_in(rng: random.Random, month: dt.date) -> dt.date:
    """A random working day of the month (Monday to Friday, not Christmas or New Year's Day)."""
    last_day = (_next_month(month) - dt.timedelta(days=1)).day
    while True:
        day = month.replace(day=rng.randint(1, last_day))
        if day.weekday() < 5 and (day.month, day.day) not in _CLOSED_DAYS:
            return day


def _event_dates(facts: Facts, rng: random.Random, count: int,
                 weight: Callable[[Facts, dt.date], float] = _activity) -> list[dt.date]:
    """Draw `count` working days in the project period, months weighted by `weight`; returned sorted."""
    months = _months(facts.start, facts.end)
    picked = rng.choices(months, weights=[weight(facts, m) for m in months], k=count)
    return sorted(_weekday_in(rng, month) for month in picked)


def _nudge(rows: list[Row], column: str, cap: str | None, delta: int, rng: random.Random) -> None:
    """Move the sum of `column` over `rows` by `delta` units, at most one unit per row per pass, keeping every
    value within 0..row[cap]; this is the last small step that makes a relative change land exactly on the
    story. Raises ValueError when the rows have no room left, which means the story parameters are off."""
    order = list(range(len(rows)))
    rng.shuffle(order)
    step = 1 if delta > 0 else -1
    while delta:
        moved = False
        for i in order:
            if not delta:
                break
            value = rows[i][column] + step
            if 0 <= value <= (rows[i][cap] if cap else math.inf):
                rows[i][column] = value
                delta -= step
                moved = True
        if not moved:
            raise ValueError(f"demo story out of reach: no room left to adjust {column}")


# --------------------------------------------------------------------------------------------------------------
# The exports


@dataclass
class Export:
    """One partner's file of one dataset: the columns in file order and the rows as typed Python values."""

    partner: str
    dataset: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)


def _split(facts: Facts, dataset: str, rows: list[Row], columns: Callable[[str], list[str]]) -> list[Export]:
    """Group rows by partner into one Export each (partners in the reference's order), keeping row order."""
    exports = {p: Export(p, dataset, columns(p)) for p in facts.countries if any(r["partner_id"] == p for r in rows)}
    for row in rows:
        exports[row["partner_id"]].rows.append(row)
    return list(exports.values())


# --------------------------------------------------------------------------------------------------------------
# learning_communities

# partner -> (name, facts, region) of each community it set up; 44 in all.
_COMMUNITIES: dict[str, list[tuple[str, str, str]]] = {
    "UOG": [
        ("Chatham Newcomer Families Hub", "community", "UKJ41"),
        ("Rochester ESOL Community", "adult", "UKJ41"),
        ("Gravesend Youth Learning Group", "secondary", "UKJ43"),
        ("Folkestone Early Years Club", "kindergarten", "UKJ44"),
    ],
    "MEDWAYPLUS": [
        ("Medway Women's Enterprise Circle", "adult", "UKJ41"),
        ("Chatham Family Learning Caf\u00e9", "community", "UKJ41"),
        ("Sheerness Newcomers' Study Club", "adult", "UKJ43"),
    ],
    "VIVES": [
        ("Lerend netwerk OKAN Brugge", "secondary", "BE251"),
        ("Taalbad Kortrijk", "primary", "BE254"),
        ("Kleuterklas De Vlinder Oostende", "kindergarten", "BE255"),
        ("Leergemeenschap Volwassenen Roeselare", "adult", "BE256"),
        ("Ouderpunt \u2019t Pleintje Kortrijk", "community", "BE254"),
    ],
    "MECHELEN": [
        ("Kinderopvang \u2019t Kompas", "kindergarten", "BE212"),
        ("Basisschool De Regenboog", "primary", "BE212"),
        ("Buurthuis Nekkerspoel", "community", "BE212"),
        ("Huis van het Kind Mechelen-Noord", "kindergarten", "BE212"),
        ("OKAN-klas Sint-Romboutscollege", "secondary", "BE212"),
        ("Taalcaf\u00e9 Boom", "adult", "BE211"),
        ("Ouderpunt Battel", "community", "BE212"),
        ("Brede School Tinnenpot", "primary", "BE212"),
        ("Ouderkaf\u00e9 Ganzendries", "community", "BE212"),
    ],
    "ADICE": [
        ("\u00c9cole Jules Ferry \u2013 caf\u00e9 des parents", "primary", "FRE11"),
        ("Maison de quartier de l\u2019\u00c9peule", "community", "FRE11"),
        ("Coll\u00e8ge Van der Meersch \u2013 UPE2A", "secondary", "FRE11"),
        ("Cr\u00e8che Les Petits Loups", "kindergarten", "FRE11"),
        ("Atelier des familles de l\u2019Alma", "community", "FRE11"),
        ("Centre social de Li\u00e9vin", "adult", "FRE12"),
        ("Lyc\u00e9e Jean Rostand \u2013 classe d\u2019accueil", "secondary", "FRE11"),
    ],
    "UCR": [
        ("Taalhuis Middelburg", "adult", "NL342"),
        ("Ouderkring Vlissingen", "community", "NL342"),
        ("Nieuwkomersklas Goes", "primary", "NL342"),
    ],
    "MIDDELBURG": [
        ("Peuterspeelzaal De Kleine Zeeuw", "kindergarten", "NL342"),
        ("Brede School Dauwendaele", "primary", "NL342"),
        ("Internationale Schakelklas Middelburg", "secondary", "NL342"),
        ("Buurtkamer Stromenwijk", "community", "NL342"),
        ("Taalcaf\u00e9 Hulst", "adult", "NL341"),
    ],
    "ARHUS": [
        ("Leerpunt Roeselare-Noord", "adult", "BE256"),
        ("Ondernemersklas Izegem", "adult", "BE256"),
        ("Ouderpunt Kortrijk", "community", "BE254"),
        ("Basisschool De Octopus", "primary", "BE256"),
    ],
    "LSF": [
        ("Leerwinkel Oostende", "adult", "BE255"),
        ("Open Leercentrum Brugge", "adult", "BE251"),
        ("Taalcaf\u00e9 De Grote Post", "community", "BE255"),
        ("Kleuterschool \u2019t Zeepaardje", "kindergarten", "BE255"),
    ],
}
_COMMUNITY_ID = {"ADICE": "CA-{:03d}", "MECHELEN": "LG{:02d}", "UCR": "UCR-LC{:02d}"}
_WITH_MEMBERS = {"UOG", "VIVES", "MECHELEN", "UCR", "LSF"}


def learning_communities(facts: Facts) -> list[Export]:
    """Forty-four communities set up over the project, each partner's in order of establishment."""
    rng = _rng("learning_communities")
    rows: list[Row] = []
    for partner, communities in _COMMUNITIES.items():
        dates = _event_dates(facts, rng, len(communities))
        for n, ((name, setting, region), established) in enumerate(zip(communities, dates, strict=True), start=1):
            rows.append(
                {
                    "community_id": _COMMUNITY_ID.get(partner, "LC{:02d}").format(n),
                    "partner_id": partner,
                    "region": region,
                    "established_on": established,
                    "setting": setting,
                    "name": name,
                    "members": rng.randint(8, 40),
                }
            )

    def columns(partner: str) -> list[str]:
        names = ["community_id", "partner_id", "region", "established_on", "setting"]
        names += [] if partner == "ARHUS" else ["name"]
        return names + (["members"] if partner in _WITH_MEMBERS else [])

    return _split(facts, "learning_communities", rows, columns)


# --------------------------------------------------------------------------------------------------------------
# school_attendance and parent_involvement

_SCHOOLS = {"UOG": 11, "VIVES": 12, "MECHELEN": 14, "ADICE": 13, "MIDDELBURG": 10}
_WITH_SESSIONS = {"UOG", "MIDDELBURG"}
_PARENT_COMMUNITIES = {"UOG": 8, "VIVES": 9, "MECHELEN": 10, "ADICE": 9, "MIDDELBURG": 8}
_SCHOOL_DAYS = {1: 20, 2: 19, 3: 21, 4: 15, 5: 19, 6: 21, 7: 14, 9: 20, 10: 18, 11: 20, 12: 15}


@dataclass(frozen=True)
class _School:
    partner: str
    school_id: str
    region: str
    enrolled: float  # at baseline
    growth: float  # enrolment factor reached by mid-2021
    rate: float  # attendance rate at baseline
    uplift: float  # attendance rate gained by mid-2021


# The French departments (their number in a school's UAI) of the regions ADICE works in.
_DEPARTMENTS = {"FRE11": "059", "FRE12": "062"}


def _school_id(rng: random.Random, partner: str, n: int, region: str) -> str:
    """French schools carry their UAI number (department 059 Nord, 062 Pas-de-Calais); others S001..."""
    if partner == "ADICE":
        department = _DEPARTMENTS[region]
        return f"{department}{rng.randint(1, 9999):04d}{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}"
    return f"S{n:03d}"


def _schools(rng: random.Random, facts: Facts) -> list[_School]:
    schools = []
    for partner, count in _SCHOOLS.items():
        ids: set[str] = set()
        for n in range(1, count + 1):
            region = _pick_region(rng, facts, partner)
            school_id = _school_id(rng, partner, n, region)
            while school_id in ids:
                school_id = _school_id(rng, partner, n, region)
            ids.add(school_id)
            schools.append(
                _School(
                    partner,
                    school_id,
                    region,
                    rng.uniform(25, 85),
                    rng.uniform(1.11, 1.28),
                    rng.uniform(0.82, 0.9),
                    rng.uniform(0.03, 0.08),
                )
            )
    return schools


def _school_months(facts: Facts, partner: str) -> list[dt.date]:
    """Months with school rows: no August anywhere; no July in Belgium and France either (summer holidays)."""
    closed = {8} if facts.countries[partner] in ("UK", "NL") else {7, 8}
    return [m for m in _months(facts.baseline[0], facts.end) if m.month not in closed]


def _school_rows(rng: random.Random, facts: Facts, schools: list[_School]) -> list[Row]:
    rows: list[Row] = []
    for school in schools:
        country = facts.countries[school.partner]
        for month in _school_months(facts, school.partner):
            # Newcomers keep arriving during a school year, so enrolment creeps up from September.
            within_year = ((month.month - 9) % 12) / 10
            expected = school.enrolled * (1 + (school.growth - 1) * _progress(facts, month)) * (1 + 0.04 * within_year)
            enrolled = min(120, max(20, round(expected + rng.gauss(0, 2))))
            rate = min(0.99, school.rate + school.uplift * _progress(facts, month) + rng.gauss(0, 0.015))
            rows.append(
                {
                    "partner_id": school.partner,
                    "region": school.region,
                    "school_id": school.school_id,
                    "month": month,
                    "children_enrolled": enrolled,
                    "children_attending": min(enrolled, round(enrolled * rate * _covid(country, month))),
                }
            )
    return rows


def _monthly_mean(rows: list[Row], column: str, window: tuple[dt.date, dt.date]) -> float:
    """Mean over the months of the window that have rows of the month's sum of `column` (indicator A(w))."""
    totals: dict[dt.date, int] = {}
    for row in rows:
        if _in_window(row["month"], window):
            totals[row["month"]] = totals.get(row["month"], 0) + row[column]
    return sum(totals.values()) / len(totals)


def school_attendance(facts: Facts) -> list[Export]:
    """Ten to fifteen schools per school partner reporting monthly; attendance up by the story's +23 %."""
    rng = _rng("school_attendance")
    rows = _school_rows(rng, facts, _schools(rng, facts))
    current = [r for r in rows if _in_window(r["month"], facts.current)]
    current_months = len({r["month"] for r in current})
    baseline = _monthly_mean(rows, "children_attending", facts.baseline)
    wanted = round(baseline * (1 + CHILDREN_CHANGE) * current_months)
    delta = wanted - sum(r["children_attending"] for r in current)
    _nudge(current, "children_attending", "children_enrolled", delta, rng)
    for row in rows:
        if row["partner_id"] in _WITH_SESSIONS:
            # Two sessions (half days) a school day; attended sessions follow the month's attendance rate.
            row["sessions_possible"] = row["children_enrolled"] * 2 * _SCHOOL_DAYS[row["month"].month]
            row["sessions_attended"] = round(
                row["sessions_possible"] * row["children_attending"] / row["children_enrolled"]
            )

    def columns(partner: str) -> list[str]:
        names = ["partner_id", "region", "school_id", "month", "children_enrolled", "children_attending"]
        return names + (["sessions_possible", "sessions_attended"] if partner in _WITH_SESSIONS else [])

    return _split(facts, "school_attendance", rows, columns)


def parent_involvement(facts: Facts) -> list[Export]:
    """The parents' community of part of the schools (community_id is the school id), monthly; +9.5 %."""
    rng = _rng("parent_involvement")
    schools = _schools(_rng("school_attendance"), facts)  # the same schools as in school_attendance
    chosen: list[_School] = []
    seen = {p: 0 for p in _PARENT_COMMUNITIES}
    for school in schools:
        seen[school.partner] += 1
        if seen[school.partner] <= _PARENT_COMMUNITIES[school.partner]:
            chosen.append(school)
    rows: list[Row] = []
    for school in chosen:
        families = rng.uniform(0.6, 0.8)
        share, uplift = rng.uniform(0.25, 0.38), rng.uniform(0.02, 0.05)
        for month in _school_months(facts, school.partner):
            expected = school.enrolled * (1 + (school.growth - 1) * _progress(facts, month))
            total = max(8, round(expected * families + rng.gauss(0, 1.5)))
            engaged = total * (share + uplift * _progress(facts, month) + rng.gauss(0, 0.02))
            engaged *= math.sqrt(_covid(facts.countries[school.partner], month))  # meetings moved online, fewer came
            rows.append(
                {
                    "partner_id": school.partner,
                    "region": school.region,
                    "community_id": school.school_id,
                    "month": month,
                    "parents_total": total,
                    "parents_engaged": min(total, max(0, round(engaged))),
                }
            )

    def ratio(window: tuple[dt.date, dt.date]) -> float:
        inside = [r for r in rows if _in_window(r["month"], window)]
        return sum(r["parents_engaged"] for r in inside) / sum(r["parents_total"] for r in inside)

    current = [r for r in rows if _in_window(r["month"], facts.current)]
    wanted = round(ratio(facts.baseline) * (1 + PARENT_CHANGE) * sum(r["parents_total"] for r in current))
    _nudge(current, "parents_engaged", "parents_total", wanted - sum(r["parents_engaged"] for r in current), rng)
    columns = ["partner_id", "region", "community_id", "month", "parents_total", "parents_engaged"]
    return _split(facts, "parent_involvement", rows, lambda partner: columns)


# --------------------------------------------------------------------------------------------------------------
# adult_education

# partner -> (number of providers, provider id pattern, reports by gender)
_PROVIDERS = {
    "MEDWAYPLUS": (4, "P{:02d}", True),
    "LSF": (5, "CBE-{:02d}", False),
    "ARHUS": (3, "AR{:03d}", True),
    "ADICE": (4, "OF-{:04d}", False),
    "UCR": (4, "ROC-{:02d}", False),
}
# Change in inflow reached by mid-2021 per country: in the demo story the Dutch providers lose newcomers while the
# others grow, so one country visibly lags.
_INFLOW_TREND = {"UK": 0.12, "BE": 0.13, "FR": 0.15, "NL": -0.3}
_ENROLMENT_SEASON = {1: 1.3, 2: 1.1, 3: 1.0, 4: 0.9, 5: 0.8, 6: 0.6, 7: 0.3, 8: 0.3, 9: 1.9, 10: 1.4, 11: 1.0, 12: 0.6}


def adult_education(facts: Facts) -> list[Export]:
    """New enrolments per provider and month, some providers by gender; overall +4 %, the Netherlands down."""
    rng = _rng("adult_education")
    rows: list[Row] = []
    for partner, (count, pattern, by_gender) in _PROVIDERS.items():
        country = facts.countries[partner]
        for n in range(1, count + 1):
            provider, region, level = pattern.format(n), _pick_region(rng, facts, partner), rng.uniform(5, 14)
            women = rng.uniform(0.5, 0.65)
            for month in _months(facts.baseline[0], facts.end):
                expected = (
                    level
                    * _ENROLMENT_SEASON[month.month]
                    * _covid(country, month)
                    * (1 + _INFLOW_TREND[country] * _progress(facts, month))
                )
                groups = [("F", women), ("M", 1 - women)] if by_gender else [(None, 1.0)]
                for gender, part in groups:
                    row = {
                        "partner_id": partner,
                        "region": region,
                        "provider_id": provider,
                        "month": month,
                        "new_enrolments": max(0, round(expected * part * rng.gauss(1, 0.15))),
                    }
                    if gender:
                        row["gender"] = gender
                    rows.append(row)

    def inflow(window: tuple[dt.date, dt.date]) -> int:
        return sum(r["new_enrolments"] for r in rows if _in_window(r["month"], window))

    current = [r for r in rows if _in_window(r["month"], facts.current)]
    _nudge(
        current,
        "new_enrolments",
        None,
        round(inflow(facts.baseline) * (1 + ADULT_INFLOW_CHANGE)) - inflow(facts.current),
        rng,
    )

    def columns(partner: str) -> list[str]:
        gender = ["gender"] if _PROVIDERS[partner][2] else []
        return ["partner_id", "region", "provider_id", "month", *gender, "new_enrolments"]

    return _split(facts, "adult_education", rows, columns)


# --------------------------------------------------------------------------------------------------------------
# teacher_training

# partner -> (teachers with at least one completed training, teachers who never completed one, teacher id pattern)
_TEACHERS = {
    "UOG": (70, 5, "T{:04d}"),
    "VIVES": (110, 7, "L{:04d}"),
    "MEDWAYPLUS": (18, 1, "MP-T{:02d}"),
    "UCR": (55, 4, "UCR-T{:03d}"),
    "MECHELEN": (75, 3, "LK{:03d}"),
    "ADICE": (62, 6, "ENS{:03d}"),
    "MIDDELBURG": (42, 3, "MD{:03d}"),
    "ARHUS": (22, 1, "AT{:03d}"),
    "LSF": (18, 2, "LSF-{:03d}"),
}


def teacher_training(facts: Facts) -> list[Export]:
    """One row per teacher per training: 472 teachers completed at least one, some did two or three, some
    dropped out (completed = false on every row)."""
    rng = _rng("teacher_training")
    rows: list[Row] = []
    for partner, (completers, dropouts, pattern) in _TEACHERS.items():
        teachers = completers + dropouts
        trainings_done = [rng.choices((1, 2, 3), weights=(70, 22, 8))[0] for _ in range(teachers)]
        dates = _event_dates(facts, rng, math.ceil(sum(trainings_done) / 14))
        trainings = [
            (
                f"{'FORM' if partner == 'ADICE' else 'TR'}{n:03d}",
                day,
                rng.choices((3.0, 7.5, 12.0), weights=(45, 40, 15))[0],
            )
            for n, day in enumerate(dates, start=1)
        ]
        dropped = set(rng.sample(range(teachers), dropouts))
        for t, done in enumerate(trainings_done):
            region = _pick_region(rng, facts, partner)
            attended = sorted(rng.sample(trainings, done), key=lambda training: training[1])
            for k, (training_id, day, hours) in enumerate(attended):
                completed = t not in dropped and (k == 0 or rng.random() < 0.85)
                rows.append(
                    {
                        "partner_id": partner,
                        "region": region,
                        "teacher_id": pattern.format(t + 1),
                        "training_id": training_id,
                        "training_date": day,
                        "hours": hours,
                        "completed": completed,
                    }
                )
    rows.sort(key=lambda r: (list(facts.countries).index(r["partner_id"]), r["training_date"], r["teacher_id"]))
    columns = ["partner_id", "region", "teacher_id", "training_id", "training_date", "hours", "completed"]
    return _split(facts, "teacher_training", rows, lambda partner: columns)


# --------------------------------------------------------------------------------------------------------------
# startups

# partner -> (entrepreneurs registered, entrepreneur id pattern, file reports gender); France lags.
_ENTREPRENEURS = {
    "UOG": (10, "E{:03d}", True),
    "VIVES": (1, "V{:03d}", False),
    "MEDWAYPLUS": (11, "MP-{:03d}", False),
    "MECHELEN": (1, "OND-{:02d}", False),
    "ADICE": (4, "ENT-{:03d}", True),
    "MIDDELBURG": (2, "MB{:03d}", True),
    "ARHUS": (7, "ON{:03d}", False),
    "LSF": (6, "Z{:03d}", True),
}
_JOBS_CREATED = 30
_SECTORS = ("catering", "retail", "IT services", "construction", "care", "transport", "crafts", "cleaning")


def _startup_weight(facts: Facts, month: dt.date) -> float:
    """Coaching takes months before a first registration: nothing in the project's first seven months, then
    growing."""
    if month < _add_months(facts.start, 7):
        return 0.0
    return _activity(facts, month) * (0.5 + _progress(facts, month))


def _working_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A random working day (Monday to Friday) in [first, last]; ``last`` if there is none."""
    for _ in range(50):
        day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
        if day.weekday() < 5:
            return day
    return last


def _job_reports(rng: random.Random, facts: Facts, row: Row) -> list[Row]:
    """The later reports of a start-up that hired: one, or two for three or more jobs (about half the jobs at
    the first), each a copy of the registration row with its own jobs_reported_on, 4 to 15 months apart and
    all by the project end. A start-up registered too late for that reports its jobs at registration."""
    jobs, registered = row["jobs_created"], row["registered_on"]
    steps = [(jobs + 1) // 2, jobs] if jobs >= 3 else [jobs]
    reports, day = [], registered
    for step in steps:
        first = day + dt.timedelta(days=120)
        if first > facts.end:
            break
        day = _working_day(rng, first, min(facts.end, day + dt.timedelta(days=450)))
        reports.append({**row, "jobs_created": step, "jobs_reported_on": day})
    if not reports:
        return []
    if reports[-1]["jobs_created"] < jobs:  # the second report did not fit: the first one says it all
        reports[-1]["jobs_created"] = jobs
    row["jobs_created"] = 0
    return reports


def startups(facts: Facts) -> list[Export]:
    """Forty-two new entrepreneurs, most self-employed alone, 30 jobs between them by the project end; France
    lags. Each registers with 0 jobs beyond the entrepreneur's own (jobs_reported_on left empty: the
    registration date); a start-up that hires sends later reports, each a new row with its jobs_reported_on."""
    rng = _rng("startups")
    rows: list[Row] = []
    for partner, (count, pattern, _) in _ENTREPRENEURS.items():
        for n, day in enumerate(_event_dates(facts, rng, count, _startup_weight), start=1):
            rows.append(
                {
                    "partner_id": partner,
                    "region": _pick_region(rng, facts, partner),
                    "entrepreneur_id": pattern.format(n),
                    "registered_on": day,
                    "sector": rng.choice(_SECTORS),
                    "jobs_created": 0,
                    "jobs_reported_on": None,
                    "gender": rng.choices(("F", "M"), weights=(4, 6))[0],
                }
            )
    # Older businesses had time to hire: each job goes to a start-up weighted by its age, at most four each.
    for _ in range(_JOBS_CREATED):
        open_rows = [r for r in rows if r["jobs_created"] < 4]
        ages = [(facts.end - r["registered_on"]).days for r in open_rows]
        rng.choices(open_rows, weights=ages)[0]["jobs_created"] += 1
    reports_rng = _rng("startups:reports")  # its own draws: the registrations above stay as they were
    rows += [report for row in list(rows) if row["jobs_created"] for report in _job_reports(reports_rng, facts, row)]
    rows.sort(key=lambda r: (list(facts.countries).index(r["partner_id"]), r["jobs_reported_on"] or r["registered_on"],
                             r["entrepreneur_id"]))
    reporting = {r["partner_id"] for r in rows if r["jobs_reported_on"]}

    def columns(partner: str) -> list[str]:
        gender = ["gender"] if _ENTREPRENEURS[partner][2] else []
        reported = ["jobs_reported_on"] if partner in reporting else []
        return ["partner_id", "region", "entrepreneur_id", "registered_on", "sector", "jobs_created", *reported,
                *gender]

    return _split(facts, "startups", rows, columns)


# --------------------------------------------------------------------------------------------------------------
# networks


# (network id, partner that launched it, launched on, members, name); one network per country.
_NETWORKS = [
    ("NET01", "UOG", dt.date(2018, 11, 14), 23, "Medway Refugee Enterprise Network"),
    ("NET02", "ARHUS", dt.date(2019, 5, 21), 31, "Ondernemersnetwerk Nieuwkomers West-Vlaanderen"),
    ("NET03", "ADICE", dt.date(2019, 10, 8), 17, "R\u00e9seau Entreprendre Ensemble Roubaix"),
    ("NET04", "MIDDELBURG", dt.date(2020, 9, 29), 26, "Zeeuws Netwerk Nieuwkomers en Onderwijs"),
]


def networks(facts: Facts) -> list[Export]:
    """The four support networks of the project, each in the home region of the partner that launched it, all
    in the lead partner's register."""
    rows: list[Row] = [
        {"network_id": network, "partner_id": partner, "region": facts.regions[partner][0], "launched_on": day,
         "members": members, "name": name}
        for network, partner, day, members, name in _NETWORKS
    ]
    columns = ["network_id", "partner_id", "region", "launched_on", "members", "name"]
    return [Export(facts.lead, "networks", columns, rows)]


# --------------------------------------------------------------------------------------------------------------
# expenditure

# Share of its (illustrative) budget each partner had spent by the project end, before the overall scaling to
# SPENT_SHARE; ADICE lags, like its entrepreneurship work.
_SPEND_RATE = {
    "UOG": 0.93,
    "VIVES": 0.90,
    "MEDWAYPLUS": 0.86,
    "UCR": 0.87,
    "MECHELEN": 0.91,
    "ADICE": 0.80,
    "MIDDELBURG": 0.85,
    "ARHUS": 0.88,
    "LSF": 0.86,
}
_LINE_ID = {"UOG": "{:04d}", "ADICE": "F{:04d}", "UCR": "UCR/{:03d}", "MIDDELBURG": "{:05d}"}
_WITH_REGION = {"MEDWAYPLUS", "VIVES", "MECHELEN", "ARHUS", "LSF", "UCR"}
# COVID grounded almost all travel from March 2020 to June 2021; equipment was bought before July 2019.
_GROUNDED = (dt.date(2020, 3, 1), dt.date(2021, 6, 1))
_EQUIPPED_BY = dt.date(2019, 7, 1)
_CENT = Decimal("0.01")


def _spending_targets(facts: Facts) -> dict[str, Decimal]:
    """Spent per partner by the project end: its budget (the programme's and the partners' illustrative ones
    come from data/reference/, the only place budgets live) times its spending rate, scaled so that all
    partners together spent SPENT_SHARE of the programme budget exactly (the lead partner takes the rounding
    remainder)."""
    raw = {p: budget * Decimal(str(_SPEND_RATE[p])) for p, budget in facts.budgets.items()}
    total = (facts.budget * SPENT_SHARE).quantize(_CENT)
    targets = {p: (amount * total / sum(raw.values())).quantize(_CENT) for p, amount in raw.items()}
    targets[facts.lead] += total - sum(targets.values())
    return targets


def _last_working_day(month: dt.date) -> dt.date:
    day = _next_month(month) - dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _claim_ends(facts: Facts) -> list[dt.date]:
    """The last day of each claim period: the last working day of every sixth month from the project start,
    then the project end."""
    ends = [_last_working_day(month) for month in _months(facts.start, facts.end)[5::6]]
    return [day for day in ends if day < facts.end] + [facts.end]


def _raw_cost_lines(rng: random.Random, facts: Facts, target: Decimal) -> list[tuple[dt.date, str, float]]:
    """Cost lines before scaling: monthly salaries, the 15 % office flat rate per claim, travel (grounded by
    COVID), expert invoices, a few equipment purchases and, for some partners, a negative correction."""
    months = _months(facts.start, facts.end)
    staff_count = max(1, round(float(target) * 0.62 / len(months) / 4300))
    starts = [_add_months(facts.start, min(12, 4 * s)) for s in range(staff_count)]  # hired within a year
    salaries = [rng.uniform(3600, 5200) for _ in range(staff_count)]
    lines: list[tuple[dt.date, str, float]] = []
    for month in months:
        payday = month.replace(day=min(25, (_next_month(month) - dt.timedelta(days=1)).day))
        while payday.weekday() >= 5:
            payday -= dt.timedelta(days=1)
        for start, salary in zip(starts, salaries, strict=True):
            if month >= start:
                lines.append((payday, "staff", salary * rng.uniform(0.97, 1.03)))
        grounded = 0.05 if _in_window(month, _GROUNDED) else 1.0
        for _ in range(rng.choices((0, 1, 2), weights=(4, 4, 2))[0]):
            if rng.random() < grounded * min(1.0, 0.3 + _progress(facts, month)):
                lines.append((_weekday_in(rng, month), "travel", rng.uniform(120, 1400)))
        if rng.random() < 0.3 * min(1.0, 0.3 + _progress(facts, month)):
            lines.append((_weekday_in(rng, month), "external_expertise", rng.uniform(1500, 14000)))
    for day in _event_dates(facts, rng, rng.randint(2, 4), lambda _, m: 1.0 if m < _EQUIPPED_BY else 0.0):
        lines.append((day, "equipment", rng.uniform(700, 6500)))
    previous = facts.start
    for claim_end in _claim_ends(facts):
        staff = sum(amount for day, kind, amount in lines if kind == "staff" and previous <= day <= claim_end)
        lines.append((claim_end, "office_admin", 0.15 * staff))
        previous = claim_end + dt.timedelta(days=1)
    if rng.random() < 0.6:
        day, kind, amount = rng.choice([line for line in lines if line[1] in ("travel", "external_expertise")])
        correction_day = min(facts.end, day + dt.timedelta(days=rng.randint(30, 90)))
        while correction_day.weekday() >= 5:
            correction_day -= dt.timedelta(days=1)
        lines.append((correction_day, kind, -amount * rng.choice((0.1, 0.25, 0.5, 1.0))))
    return sorted(lines)


def expenditure(facts: Facts) -> list[Export]:
    """Cost lines of every partner's claims; together 88 % of the budget spent by the project end."""
    rng = _rng("expenditure")
    rows: list[Row] = []
    for partner, target in _spending_targets(facts).items():
        lines = _raw_cost_lines(rng, facts, target)
        scale = float(target) / sum(amount for _, _, amount in lines)
        amounts = [Decimal(str(amount * scale)).quantize(_CENT, ROUND_HALF_UP) for _, _, amount in lines]
        amounts[amounts.index(max(amounts))] += target - sum(amounts)  # rounding remainder on the largest line
        for n, ((day, kind, _), amount) in enumerate(zip(lines, amounts, strict=True), start=1):
            rows.append(
                {
                    "partner_id": partner,
                    "line_id": _LINE_ID.get(partner, "L{:04d}").format(n),
                    "paid_on": day,
                    "cost_category": kind,
                    "amount_eur": amount,
                    "region": facts.regions[partner][0],
                }
            )

    def columns(partner: str) -> list[str]:
        region = ["region"] if partner in _WITH_REGION else []
        return ["partner_id", "line_id", "paid_on", "cost_category", "amount_eur", *region]

    return _split(facts, "expenditure", rows, columns)


# --------------------------------------------------------------------------------------------------------------

# The generators in the contract's order of datasets, which is the order the files are loaded in.
_GENERATORS: dict[str, Callable[[Facts], list[Export]]] = {
    "learning_communities": learning_communities,
    "school_attendance": school_attendance,
    "parent_involvement": parent_involvement,
    "adult_education": adult_education,
    "teacher_training": teacher_training,
    "startups": startups,
    "networks": networks,
    "expenditure": expenditure,
}


def demo_exports(reference: Reference) -> list[Export]:
    """All demo exports of the story set in ``reference``, in load order (datasets in contract order, partners
    in the reference's order), as rows not yet written: useful for tests that want the rows without the disk.
    Raises ValueError when the story does not fit the reference (see Facts.from_reference, _nudge)."""
    facts = Facts.from_reference(reference)
    return [export for make in _GENERATORS.values() for export in make(facts)]
