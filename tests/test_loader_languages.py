"""The loader's problems and refusals in the reader's language: the same lines, rows and values, in other words.

English is pinned by the other test files (test_rules, test_hostile_files, test_read, test_cli); here the
same problems read in Dutch and French, and the command line's ``--lang`` and $SIREE_LANG choose the language.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import TODAY, csv_bytes

from siree_metrics import cli
from siree_metrics.i18n import using
from siree_metrics.ingest.checks import sql_text
from siree_metrics.ingest.load import check_file

HEADER = ["partner_id", "line_id", "paid_on", "cost_category", "amount_eur", "region"]
# LSF is a Belgian partner (home region BE255, data/reference/partners.csv).
ROWS = [HEADER,
        ["LSF", "L0001", "2019-03-15", "staff", "1234.56", "BE255"],  # row 2: fine (and '.' is the decimal mark)
        ["LSF", "L0002", "2019-03-15", "staff", "10", "FRE11"],       # row 3: a French region for a Belgian partner
        ["LSF", "L0003", "03/15/2019", "staff", "10", "BE255"],       # row 4: month 15: written month-first
        ["LSF", "L0004", "2019-03-15", "staff", "c", "BE255"],        # row 5: a suppression mark
        ["LSF", "L0005", "2019-03-15", "staff", "12.3456", "BE255"],  # row 6: more than two decimals
        ["LSF", "", "2019-03-15", "staff", "10", "BE255"]]            # row 7: the required line_id is empty

ENGLISH = [
    "claims.csv:3: region: 'FRE11' is a region in FR, but partner LSF works in BE",
    "claims.csv:4: paid_on: '03/15/2019' is not a day-first date (DD/MM/YYYY); it looks month-first",
    "claims.csv:5: amount_eur: 'c' is a suppression mark; the dashboard needs the exact figure",
    "claims.csv:6: amount_eur: '12.3456' has more than 2 decimals; an amount in euro is exact to the cent and is not "
    "rounded here: write it to the cent, as in your accounts",
    "claims.csv:7: line_id: is empty; this column is required",
]
DUTCH = [
    "claims.csv:3: region: 'FRE11' is een regio in FR, maar partner LSF werkt in BE",
    "claims.csv:4: paid_on: '03/15/2019' is geen datum met de dag eerst (DD/MM/JJJJ); de maand lijkt eerst te staan",
    "claims.csv:5: amount_eur: 'c' is een teken voor een afgeschermde waarde; het dashboard heeft het exacte cijfer "
    "nodig",
    "claims.csv:6: amount_eur: '12.3456' heeft meer dan 2 decimalen; een bedrag in euro is tot op de cent exact en "
    "wordt hier niet afgerond: schrijf het tot op de cent, zoals in uw boekhouding",
    "claims.csv:7: line_id: is leeg; deze kolom is verplicht",
]
FRENCH = [
    "claims.csv:3: region: 'FRE11' est une région du pays FR, mais le partenaire LSF travaille dans le pays BE",
    "claims.csv:4: paid_on: '03/15/2019' n'est pas une date avec le jour en premier (JJ/MM/AAAA) ; le mois semble "
    "écrit en premier",
    "claims.csv:5: amount_eur: 'c' est une marque de secret statistique ; le tableau de bord a besoin du chiffre exact",
    "claims.csv:6: amount_eur: '12.3456' a plus de 2 décimales ; un montant en euros est exact au centime et n'est pas "
    "arrondi ici : écrivez-le au centime, comme dans votre comptabilité",
    "claims.csv:7: line_id: est vide ; cette colonne est obligatoire",
]


@pytest.fixture
def claims(tmp_path: Path) -> Path:
    path = tmp_path / "claims.csv"
    path.write_bytes(csv_bytes(ROWS))
    return path


@pytest.mark.parametrize(("lang", "expected"), [("en", ENGLISH), ("nl", DUTCH), ("fr", FRENCH)])
def test_cell_problems_read_in_the_language(claims: Path, lang: str, expected: list[str]) -> None:
    with using(lang):
        checked = check_file(claims, "expenditure", today=TODAY)
    assert checked.report() == expected


def test_a_line_the_reader_rejects_in_french(tmp_path: Path) -> None:
    # Row 3 has seven cells under a six-column header: the reader lists it, and the values are not checked.
    path = tmp_path / "wide.csv"
    path.write_bytes(csv_bytes(ROWS[:2]) + b"LSF,L0009,2019-03-15,staff,10,BE255,extra\n")
    with using("fr"):
        lines = check_file(path, "expenditure", today=TODAY).report()
    assert lines == [
        "wide.csv:3: cette ligne a plus de cellules que les 6 colonnes de l'en-tête (contenu de la ligne : "
        "'LSF,L0009,2019-03-15,staff,10,BE255,extra') ; une valeur contenant le séparateur a-t-elle perdu ses "
        "guillemets ?",
        "wide.csv: les valeurs n'ont pas été vérifiées : corrigez d'abord les lignes ci-dessus",
    ]


def test_a_refusal_in_dutch(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with using("nl"):
        assert check_file(path, "expenditure", today=TODAY).report() == ["empty.csv: het bestand is leeg"]


def test_sql_text_splits_a_template_at_its_placeholders() -> None:
    # The literal pieces are quoted (the apostrophe doubled), the expressions kept, in the template's order.
    assert sql_text("{b} n'est pas {a}", a="x", b="y") == "y || ' n''est pas ' || x"
    assert sql_text("is in the future") == "'is in the future'"


def _load(tmp_path: Path, claims: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[str]:
    status = cli.main(["load", "--db", str(tmp_path / "siree.duckdb"), "--dataset", "expenditure", *extra,
                       str(claims)])
    assert status == 1 and not (tmp_path / "siree.duckdb").exists()  # refused whole: nothing stored
    return capsys.readouterr().err.splitlines()


def test_the_command_line_speaks_french(tmp_path: Path, claims: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIREE_LANG", raising=False)
    lines = _load(tmp_path, claims, capsys, "--lang", "fr")
    shown = [line.replace(f"{claims}", "claims.csv", 1) for line in lines]
    # 5 problems (rows 3 to 7), then the closing line with their count.
    assert shown == [*FRENCH, "claims.csv: refusé (5 problèmes) : rien n'a été chargé depuis ce fichier"]


@pytest.mark.parametrize(("env", "expected"), [("nl", DUTCH), ("xx", ENGLISH), ("", ENGLISH)])
def test_siree_lang_is_the_default_and_an_unknown_one_is_english(
        tmp_path: Path, claims: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        env: str, expected: list[str]) -> None:
    monkeypatch.setenv("SIREE_LANG", env)
    lines = [line.replace(f"{claims}", "claims.csv", 1) for line in _load(tmp_path, claims, capsys)]
    assert lines[:-1] == expected


def test_the_command_lines_own_messages_follow_siree_lang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A read command on a mistyped database path: the refusal in French when SIREE_LANG=fr."""
    missing = tmp_path / "typo.duckdb"
    monkeypatch.setenv("SIREE_LANG", "fr")
    assert cli.main(["export", "--db", str(missing), "--dataset", "school_attendance"]) == 2
    assert capsys.readouterr().err == (
        f"error: il n'y a pas de base de données à {missing} ; indiquez le bon --db (ou définissez SIREE_DB), ou "
        "créez-en une avec « python -m siree_metrics load » ou « python -m siree_metrics demo »\n")
    assert not missing.exists()
