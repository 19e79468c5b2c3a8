"""The filters every view and the summary share: countries, regions and partners (empty = all)."""

from __future__ import annotations

from dataclasses import dataclass

from siree_metrics.reference import Reference

FILTER_SQL = (
    "(len($countries) = 0 or list_contains($countries, country))"
    " and (len($regions) = 0 or list_contains($regions, region))"
    " and (len($partners) = 0 or list_contains($partners, partner_id))"
)


@dataclass(frozen=True)
class Filters:
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()

    def params(self) -> dict[str, list[str]]:
        """Bound parameters for FILTER_SQL."""
        return {"countries": list(self.countries), "regions": list(self.regions), "partners": list(self.partners)}

    def partner_ids(self, ref: Reference) -> list[str] | None:
        """The partners the filter covers, for targets and budgets; None under a region filter (no target)."""
        if self.regions:
            return None
        return [p.id for p in ref.partners.values()
                if (not self.countries or p.country in self.countries)
                and (not self.partners or p.id in self.partners)]

    def is_empty(self, ref: Reference) -> bool:
        """Whether the filters can match no row at all: a partner of another country than the ones chosen
        (country=FR, partner=MECHELEN), or regions none of which lie in the chosen countries."""
        countries = set(self.countries)
        if self.partners and countries and not any(ref.partners[p].country in countries
                                                   for p in self.partners if p in ref.partners):
            return True
        return bool(self.regions and countries and not any(ref.regions[r].country in countries
                                                           for r in self.regions if r in ref.regions))

    @property
    def is_programme(self) -> bool:
        return not (self.countries or self.regions or self.partners)

    def problems(self, ref: Reference) -> list[str]:
        """Unknown codes in the filter, as messages."""
        out = [f"unknown country {c!r}; use BE, FR, NL or UK" for c in self.countries if c not in ("BE", "FR", "NL", "UK")]
        out += [f"unknown region {r!r}" for r in self.regions if r not in ref.regions]
        out += [f"unknown partner {p!r}; use one of {', '.join(ref.partners)}" for p in self.partners if p not in ref.partners]
        return out
