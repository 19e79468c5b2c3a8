"""The engine's sentences in Dutch and French: the summary's notes and coverage (with their figures and dates in
the reader's convention), the Method page, the command line's summary and the meeting pack. The expected texts
are written out by hand from locales/{nl,fr}/summary.toml, method.toml and pack.toml and Babel's nl_BE/fr_FR
dates ("28 feb 2019", "28 févr. 2019")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from siree_metrics import cli
from siree_metrics.i18n import using
from siree_metrics.ingest import store
from siree_metrics.metrics.summary import Coverage, summarize

ROOT = Path(__file__).resolve().parents[1]

# ADICE and VIVES in both windows, UCR only in the current one; ADICE lacks 3 current months (9 of 12 < 10)
COVERAGE = Coverage(["ADICE", "UCR", "VIVES"], ["ADICE", "VIVES"], {"UCR": "has no baseline"},
                    {"ADICE": {"baseline": 0, "current": 3}, "VIVES": {"baseline": 0, "current": 0}}, False)


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "2 of 3 partners reporting this indicator; UCR has no baseline; window incomplete, months missing: "
           "ADICE 0 baseline / 3 current"),
    ("nl", "2 van 3 partners die deze indicator rapporteren; UCR heeft geen nulmeting; periode onvolledig, "
           "ontbrekende maanden: ADICE 0 nulmeting / 3 huidig"),
    ("fr", "2 sur 3 partenaires déclarant cet indicateur; UCR n'a pas de référence; période incomplète, mois "
           "manquants : ADICE 0 référence / 3 actuelle"),
])
def test_the_coverage_of_a_relative_indicator_reads_in_the_current_language(lang: str, expected: str) -> None:
    with using(lang):
        assert COVERAGE.text() == expected


# As of 2018-06-30 the current 12 months are 2017-07 to 2018-06, inside the baseline year 2017-03 to 2018-02
# (programme.toml); the first as-of whose window lies after it is 2019-02-28. An as-of of 2022-01-31 is after
# the project end (2021-12-31); 2017-06-30 is before its start (2018-03-01). No rows are needed for these notes.
NOTES = {
    "nl": ("te vroeg: de huidige 12 maanden (jul 2017 tot jun 2018) overlappen nog met het referentiejaar "
           "(mrt 2017 tot feb 2018); de eerste vergelijking is op peildatum 28 feb 2019",
           "31 jan 2022 valt na het einde van het project: de resultaten stoppen op 31 dec 2021; dit zijn de "
           "definitieve cijfers",
           "project nog niet begonnen: het loopt van 1 mrt 2018 tot 31 dec 2021"),
    "fr": ("trop tôt : les 12 mois actuels (juil. 2017 à juin 2018) chevauchent encore l'année de référence "
           "(mars 2017 à févr. 2018) ; la première comparaison est à la date d'arrêté du 28 févr. 2019",
           "le 31 janv. 2022 est après la fin du projet : les résultats s'arrêtent au 31 déc. 2021 ; ce sont les "
           "chiffres définitifs",
           "projet pas encore commencé : il court du 1 mars 2018 au 31 déc. 2021"),
    "en": ("too early: the current 12 months (Jul 2017 to Jun 2018) still overlap the baseline year (Mar 2017 to "
           "Feb 2018); the first comparison is at as-of 28 Feb 2019",
           "31 Jan 2022 is after the project end: results stop at 31 Dec 2021; these are the final figures",
           "project not started: it runs from 1 Mar 2018 to 31 Dec 2021"),
}


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_notes_and_as_of_reasons_carry_dates_in_the_readers_convention(db: Path, lang: str) -> None:
    too_early, after_end, not_started = NOTES[lang]
    with store.connect(db) as con, using(lang):
        early = summarize(con, dt.date(2018, 6, 30))
        late = summarize(con, dt.date(2022, 1, 31))
        before = summarize(con, dt.date(2017, 6, 30))
    assert {r.note for r in early.indicators if r.status == "too_early"} == {too_early}
    assert late.as_of_reason == after_end
    assert {r.note for r in before.indicators} == {not_started}


def test_summary_on_the_command_line_speaks_french(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with store.connect(db):
        pass  # an empty database
    assert cli.main(["summary", "--db", str(db), "--as-of", "2018-06-30", "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    # 2018-03-01 to 2018-06-30 is 121 of the project's 1,401 days: 8.6%, "9 %" in French
    assert out.startswith("Atteinte des objectifs SIREE au 30 juin 2018 (programme entier) ; temps écoulé 9\u00a0%\n"
                          "date d'arrêté 30 juin 2018 : la date demandée\n")
    assert "indicateur" in out and "trop tôt" in out and NOTES["fr"][0] in out
    assert "too early" not in out and "the date asked for" not in out and "indicator " not in out


def test_the_method_page_in_french() -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = "fr"
    at = at.switch_page("pages/7_Method.py").run()
    assert not at.exception, [e.value for e in at.exception]
    text = "\n".join(m.value for m in at.markdown)
    # children_in_school (monthly_mean): its formula from measures.toml, in French, "- **Formule :** ..."
    assert ("- **Formule :** niveau(w) = moyenne, sur les mois de w ayant des lignes, de la "
            "sum(`children_attending`) de ce mois ; valeur = niveau(actuel) / niveau(référence) − 1.") in text
    assert "Attente" not in text and "- Atteinte = valeur / objectif ; pour les indicateurs relatifs" in text
    assert "**Formula:**" not in text and "level(w) = mean, over the months" not in text
    assert "Attainment = value / target" not in text and "The as-of date" not in text
