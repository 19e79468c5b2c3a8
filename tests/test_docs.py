"""The catalogue, the contract and the documents generated from them stay in step."""

from __future__ import annotations

import tomllib

import pytest

from siree_metrics.docs import expected_files
from siree_metrics.ingest.contract import header_map, load_contract, normalise_header
from siree_metrics.reference import REFERENCE_DIR, load_reference


@pytest.mark.parametrize("path", sorted(expected_files(), key=str), ids=lambda p: p.name)
def test_generated_file_is_up_to_date(path):
    expected = expected_files()[path]
    assert path.exists(), f"{path} is missing: run python -m siree_metrics docs"
    assert path.read_text(encoding="utf-8") == expected, f"{path} is stale: run python -m siree_metrics docs"


def test_every_column_has_dutch_and_french_aliases():
    raw = tomllib.loads((REFERENCE_DIR / "contract.toml").read_text(encoding="utf-8"))
    missing = [name for name, spec in raw["columns"].items() if not spec.get("nl") or not spec.get("fr")]
    assert missing == []


def test_aliases_of_a_dataset_never_collide():
    for ds in load_contract().values():
        names = header_map(ds)
        for col in ds.columns.values():
            for alias in (col.name, *col.aliases_nl, *col.aliases_fr):
                assert names[normalise_header(alias)] == col.name


def test_catalogue_indicators_are_complete_and_computable():
    ref = load_reference()
    assert [i.id for i in ref.indicators] == [
        "learning_communities", "parent_involvement", "children_in_school", "adult_education_inflow",
        "teachers_trained", "new_entrepreneurs", "jobs_created", "support_networks"]
    contract = load_contract()
    for ind in ref.indicators:
        assert set(ind.labels) == {"en", "nl", "fr"} and all(ind.labels.values())
        assert ref.measures[ind.measure].kind == ind.kind
        assert ind.column in contract[ind.dataset].columns


def test_programme_figures_and_illustrative_shares_add_up():
    ref = load_reference()
    assert ref.programme.budget_eur == 4_880_802 and ref.programme.erdf_eur == 2_928_481
    assert round(sum(p.budget_eur for p in ref.partners.values())) == 4_880_802
    assert round(ref.erdf_share(list(ref.partners))) == 2_928_481
    for ind in ref.indicators:
        if ind.kind == "count":
            assert sum(ref.partner_targets[(p, ind.id)] for p in ref.partners) == ind.target
    assert sum(ref.programme.context["first_time_applicants"].values()) == 147_815


def test_regions_cover_every_partner_and_translate_2013_codes():
    ref = load_reference()
    assert len(ref.partners) == 9
    for p in ref.partners.values():
        assert ref.regions[p.home_region].country == p.country
    assert ref.code_2013_to_2016 == {"FR301": "FRE11", "FR302": "FRE12", "FR221": "FRE21", "FR223": "FRE23",
                                     "NL322": "NL328", "NL339": "NL33C"}
    assert not ref.partners["VIVES"].home_region_verified and not ref.partners["LSF"].home_region_verified
