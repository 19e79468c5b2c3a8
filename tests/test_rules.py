"""The rules every loader path applies: headers, dates, months, numbers, booleans, identifiers, checks,
suppression marks, keys, regions, partners, defaults and the problem messages.

To stay fast, each group of cases goes into one file (one row per case) that is loaded once per module;
the parametrized tests then look up their own row's stored value or problem.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from helpers import DATASETS, ROOT, TODAY, VALID, csv_bytes, rows_from, valid

from siree_metrics import cli
from siree_metrics.i18n import read_kept
from siree_metrics.ingest import store
from siree_metrics.ingest.contract import header_map, load_contract, normalise_header
from siree_metrics.ingest.load import LoadResult, load_file

LINE = re.compile(r"^(?P<file>[^:]+):(?P<row>\d+): (?P<column>[a-z_]+): (?P<message>.+)$")


@dataclass
class Outcome:
    result: LoadResult
    stored: dict[str, object] = field(default_factory=dict)  # case text -> typed value in the database
    raw: dict[str, str] = field(default_factory=dict)  # case text -> text exported for it
    problems: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # case text -> [(column, message)]


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    """cases(dataset, column, texts) -> Outcome: one row per text, loaded once into a fresh database."""
    cache: dict[tuple, Outcome] = {}

    def run(dataset: str, column: str, texts: list[str], **fixed: object) -> Outcome:
        key = (dataset, column, tuple(texts), tuple(sorted(fixed.items())))
        if key in cache:
            return cache[key]
        first_key = load_contract()[dataset].key[0]
        records = [valid(dataset, **{first_key: f"K{i:03d}", **fixed, column: text}) for i, text in enumerate(texts)]
        folder = tmp_path_factory.mktemp(dataset)
        path = folder / f"{column}.csv"
        path.write_bytes(csv_bytes(rows_from(records)))
        db = folder / "siree.duckdb"
        result = load_file(db, dataset, path, today=TODAY)
        outcome = Outcome(result)
        if result.status == "loaded":
            with store.connect(db) as con:
                values = con.execute(f'select "{column}" from "{dataset}" order by batch_id, source_row').fetchall()
            out = folder / "export.csv"  # the text as it arrived comes back through the export command
            assert cli.main(["export", "--db", str(db), "--dataset", dataset, "--out", str(out)]) == 0
            with out.open(encoding="utf-8", newline="") as f:
                exported = [r[column] for r in csv.DictReader(f)]
            for text, (value,), raw in zip(texts, values, exported, strict=True):
                outcome.stored[text], outcome.raw[text] = value, raw
        for p in result.problems:
            outcome.problems.setdefault(texts[p.row - 2], []).append((p.column, p.message))
        cache[key] = outcome
        return outcome

    return run


# -- headers ------------------------------------------------------------------------------------------------

def test_every_column_has_dutch_and_french_aliases():
    for ds in load_contract().values():
        for col in ds.columns.values():
            assert col.aliases_nl, f"{col.name} has no Dutch alias"
            assert col.aliases_fr, f"{col.name} has no French alias"


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_alias_maps_to_its_column(dataset):
    names = header_map(load_contract()[dataset])
    for col in load_contract()[dataset].columns.values():
        for alias in (col.name, *col.aliases_nl, *col.aliases_fr):
            shown = alias.replace("_", " ").upper()  # as a partner might type it
            assert names[normalise_header(shown)] == col.name


@pytest.mark.parametrize("text, expected", [
    ("  Partner ID ", "partner_id"), ("PARTNER-ID", "partner_id"), ("partner_id", "partner_id"),
    ("Date de création", "date_de_creation"), ("Établissement", "etablissement"), ("Tranche d’âge", "tranche_d_age"),
    ("\ufeffregion", "region"),
])
def test_normalise_header(text, expected):
    assert normalise_header(text) == expected


@pytest.mark.parametrize("lang", ["nl", "fr"])
@pytest.mark.parametrize("dataset", DATASETS)
def test_file_with_dutch_or_french_headers_is_read(check, write_csv, dataset, lang):
    ds = load_contract()[dataset]
    row = VALID[dataset]
    header = [getattr(ds.columns[n], f"aliases_{lang}")[0].replace("_", " ").title() for n in row]
    result = check(dataset, write_csv([header, list(row.values())]))
    assert result.ok, result.report()
    assert result.warnings == []
    assert result.preview == [row]  # every cell landed in its contract column


def test_headers_match_ignoring_case_spaces_hyphens_and_accents(load, write_csv, query):
    header = [" Community-ID ", "PARTENAIRE", "Région", "Date de Création", "niveau"]
    result = load("learning_communities", write_csv([header, ["C1", "ADICE", "FRE11", "15/03/2019", "Primary"]]))
    assert result.status == "loaded", result.report()
    assert query("select community_id, partner_id, region, established_on, setting from learning_communities") == [
        ("C1", "ADICE", "FRE11", dt.date(2019, 3, 15), "primary")]


def test_unknown_extra_column_is_ignored_with_a_warning(load, write_csv, query):
    rows = rows_from([valid("networks", colour="blue")])
    result = load("networks", write_csv(rows, name="n.csv"))
    assert result.status == "loaded", result.report()
    assert result.warnings == ["n.csv: column 'colour' is not part of the networks data and was ignored"]
    # the batch log keeps it, and the file's format, in every language: each reader reads them in theirs
    [(warnings, file_format)] = query("select warnings, file_format from batches")
    assert read_kept(warnings, "en") == result.warnings[0]
    assert read_kept(warnings, "nl") == "n.csv: kolom 'colour' hoort niet bij de gegevens van networks en werd genegeerd"
    assert read_kept(file_format, "fr") == "CSV, UTF-8, séparé par des virgules"
    assert read_kept(file_format, "en") == "CSV, UTF-8, comma-separated"


def test_a_file_of_many_unknown_columns_gets_one_warning_naming_the_first_ten(load, write_csv, query):
    """Not one line per column: a sheet exported with a thousand stray columns would bury the upload page."""
    unknown = [f"x{i}" for i in range(1, 1201)]
    rows = rows_from([valid("networks")])
    result = load("networks", write_csv([rows[0] + unknown, rows[1] + ["1"] * len(unknown)], name="n.csv"))
    assert result.status == "loaded", result.report()
    assert result.warnings == ["n.csv: columns 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8', 'x9', 'x10' and 1,190 "
                               "more are not part of the networks data and were ignored"]
    [(warnings,)] = query("select warnings from batches")
    assert read_kept(warnings, "fr").endswith("'x10' et 1\u202f190 autres ne font pas partie des données networks et ont "
                                              "été ignorées")
    two = load("networks", write_csv([rows[0] + ["a", "b"], rows[1] + ["1", "2"]], name="m.csv"), today=TODAY)
    assert two.warnings == ["m.csv: columns 'a', 'b' are not part of the networks data and were ignored"]


def test_the_batch_log_written_before_texts_were_kept_in_every_language_reads_as_it_was() -> None:
    assert read_kept("n.csv: column 'colour' is not part of the networks data and was ignored", "fr") == (
        "n.csv: column 'colour' is not part of the networks data and was ignored")
    assert read_kept("CSV, Windows-1252, semicolon-separated", "nl") == "CSV, Windows-1252, semicolon-separated"
    assert read_kept(None) == read_kept("") == ""


def test_two_columns_with_the_same_meaning_are_a_problem(check, write_csv):
    header = ["network_id", "partner_id", "partenaire", "region", "launched_on", "members"]
    result = check("networks", write_csv([header, ["N1", "UOG", "UOG", "UKJ41", "2019-03-15", "3"]], name="n.csv"))
    assert not result.ok
    assert result.report() == ["n.csv:1: partner_id: two columns mean partner_id: 'partner_id' and 'partenaire'; keep one"]


def test_missing_required_column_is_a_row_1_problem(check, write_csv):
    result = check("networks", write_csv(rows_from([valid("networks", members=None)]), name="n.csv"))
    assert result.report() == ["n.csv:1: members: required column is missing"]


# -- dates and months ----------------------------------------------------------------------------------------

DATES_OK = {
    "2019-03-01": dt.date(2019, 3, 1), "01/03/2019": dt.date(2019, 3, 1), "01-03-2019": dt.date(2019, 3, 1),
    "01.03.2019": dt.date(2019, 3, 1), "20190301": dt.date(2019, 3, 1), "1/3/2019": dt.date(2019, 3, 1),
    "03/04/2019": dt.date(2019, 4, 3),  # day-first, never month-first
    "31/12/2020": dt.date(2020, 12, 31), " 2019-03-01 ": dt.date(2019, 3, 1),
    "2017-01-01": dt.date(2017, 1, 1), "2022-06-30": TODAY,
}
DATES_BAD = {
    "03/15/2019": "is not a day-first date (DD/MM/YYYY); it looks month-first",
    "12/31/2020": "is not a day-first date (DD/MM/YYYY); it looks month-first",
    "2016-12-31": "is before 2017-01-01, earlier than SIREE data can be",
    "31/12/2016": "is before 2017-01-01, earlier than SIREE data can be",
    "2022-07-01": "is in the future",
    "01.07.2022": "is in the future",
    "2019-02-30": "is not a date; write it as YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY or YYYYMMDD",
    "2019/03/01": "is not a date; write it as YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY or YYYYMMDD",
    "1 March 2019": "is not a date; write it as YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY or YYYYMMDD",
}


@pytest.mark.parametrize("text", list(DATES_OK))
def test_date_forms_accepted(cases, text):
    out = cases("expenditure", "paid_on", list(DATES_OK))
    assert out.result.status == "loaded", out.result.report()
    assert out.stored[text] == DATES_OK[text]
    assert out.raw[text] == text  # the text as sent is kept


@pytest.mark.parametrize("text", list(DATES_BAD))
def test_date_forms_refused(cases, text):
    out = cases("expenditure", "paid_on", list(DATES_BAD))
    assert out.result.status == "refused"
    assert out.problems[text] == [("paid_on", f"'{text}' {DATES_BAD[text]}")]


MONTHS_OK = {
    "2019-03": dt.date(2019, 3, 1), "03/2019": dt.date(2019, 3, 1), "3/2019": dt.date(2019, 3, 1),
    "15/03/2019": dt.date(2019, 3, 1), "2019-03-31": dt.date(2019, 3, 1), "20190315": dt.date(2019, 3, 1),
    "15.03.2019": dt.date(2019, 3, 1), "2017-01": dt.date(2017, 1, 1), "2022-06": dt.date(2022, 6, 1),
}
MONTHS_BAD = {
    "2016-12": "is before 2017-01-01, earlier than SIREE data can be",
    "2022-07": "is in the future",
    "13/2019": "is not a month; write it as YYYY-MM, MM/YYYY or a date",
    "2019": "is not a month; write it as YYYY-MM, MM/YYYY or a date",
    "03/15/2019": "is not a day-first date (DD/MM/YYYY); it looks month-first",
}


@pytest.mark.parametrize("text", list(MONTHS_OK))
def test_month_forms_accepted(cases, text):
    out = cases("adult_education", "month", list(MONTHS_OK))
    assert out.result.status == "loaded", out.result.report()
    assert out.stored[text] == MONTHS_OK[text]


@pytest.mark.parametrize("text", list(MONTHS_BAD))
def test_month_forms_refused(cases, text):
    out = cases("adult_education", "month", list(MONTHS_BAD))
    assert out.problems[text] == [("month", f"'{text}' {MONTHS_BAD[text]}")]


def test_future_is_measured_against_today(check, write_csv):
    rows = rows_from([valid("networks", launched_on="2022-06-30")])
    assert check("networks", write_csv(rows), today=dt.date(2022, 6, 30)).ok
    assert check("networks", write_csv(rows), today=dt.date(2022, 6, 29)).report() == [
        "data.csv:2: launched_on: '2022-06-30' is in the future"]


# -- numbers --------------------------------------------------------------------------------------------------

COUNTS_OK = {"12": 12, "12.0": 12, "12,0": 12, " 12 ": 12, "0": 0, "1 000": 1000}
COUNTS_BAD = {"12.5": "is not a whole number", "12,5": "is not a whole number", "-1": "must be 0 or more",
              "-3.0": "must be 0 or more", "twelve": "is not a number",
              "99999999999999999999": "is too large a number to be a count"}


@pytest.mark.parametrize("text", list(COUNTS_OK))
def test_counts_accepted(cases, text):
    out = cases("networks", "members", list(COUNTS_OK))
    assert out.result.status == "loaded", out.result.report()
    assert out.stored[text] == COUNTS_OK[text]


@pytest.mark.parametrize("text", list(COUNTS_BAD))
def test_counts_refused(cases, text):
    out = cases("networks", "members", list(COUNTS_BAD))
    assert out.problems[text] == [("members", f"'{text}' {COUNTS_BAD[text]}")]


AMOUNTS_OK = {
    "1.234,56": "1234.56", "1 234,56": "1234.56", "1\u00a0234,56": "1234.56", "1,234.56": "1234.56",
    "1234.56": "1234.56", "1234,56": "1234.56", "-1.234,56": "-1234.56", "-1 234,56": "-1234.56",
    "-1,234.56": "-1234.56", "-50": "-50.00", "0,5": "0.50", "1.234.567,89": "1234567.89",
    "2,345,678.90": "2345678.90",
}


@pytest.mark.parametrize("text", list(AMOUNTS_OK))
def test_amounts_accepted(cases, text):
    out = cases("expenditure", "amount_eur", list(AMOUNTS_OK))
    assert out.result.status == "loaded", out.result.report()
    assert out.stored[text] == Decimal(AMOUNTS_OK[text])
    assert out.raw[text] == text


AMOUNTS_BAD = ["€ 12", "12 EUR", "1,2,3", "abc", "123.456.789.012.345.678,00"]  # the last: too large to store


@pytest.mark.parametrize("text", AMOUNTS_BAD)
def test_amounts_refused(cases, text):
    out = cases("expenditure", "amount_eur", AMOUNTS_BAD)
    [(column, message)] = out.problems[text]
    assert column == "amount_eur"
    assert message.startswith(f"'{text}' is not an amount in euro")


@pytest.mark.parametrize("text, hours", [("7,5", 7.5), ("7.5", 7.5), ("12", 12.0), ("0", 0.0)])
def test_hours_accept_decimal_comma_or_point(cases, text, hours):
    out = cases("teacher_training", "hours", ["7,5", "7.5", "12", "0"])
    assert out.result.status == "loaded", out.result.report()
    assert out.stored[text] == hours


# An amount is exact to the cent or refused, never rounded: 1234.5678 would be 1234.57 by rounding. Trailing
# zeros are exact (12,5000 is 12.50). 0.005 is five thousandths of a euro (not 5.00, as "one separator and
# three digits" would read it): more than 2 decimals too.
AMOUNTS_NOT_CENTS = ["1234.5678", "1234,5678", "1.234,567", "0.005", "-0,005"]


@pytest.mark.parametrize("text", AMOUNTS_NOT_CENTS)
def test_amounts_with_more_than_two_decimals_are_refused(cases, text):
    out = cases("expenditure", "amount_eur", AMOUNTS_NOT_CENTS)
    assert out.problems[text] == [("amount_eur", f"'{text}' has more than 2 decimals; an amount in euro is exact "
                                                 "to the cent and is not rounded here: write it to the cent, as in "
                                                 "your accounts")]


def test_trailing_zeros_after_the_cents_are_exact(cases):
    out = cases("expenditure", "amount_eur", ["12,5000", "3.1000"])
    assert out.result.status == "loaded", out.result.report()
    assert out.stored == {"12,5000": Decimal("12.50"), "3.1000": Decimal("3.10")}


# One separator followed by exactly three digits: a thousands mark, unless the integer part is 0 or the
# column's other cells use that separator as a decimal mark (1, 2 or 4+ digits after it, or 0 before it).
THOUSANDS_CASES = [
    # column cells -> stored values, by hand
    (["1,500", "2,000"], ["1500.00", "2000.00"]),        # no cell shows ',' as a decimal mark: thousands
    (["1.500", "12"], ["1500.00", "12.00"]),              # nor '.'
    (["1,500", "1,5", "2,25"], ["1.50", "1.50", "2.25"]),  # '1,5' and '2,25': ',' is decimal, 1,500 is 1.5
    (["1.500", "2.25"], ["1.50", "2.25"]),                # '2.25': '.' is decimal
    (["1,500", "1.234,5"], ["1.50", "1234.50"]),          # '1.234,5' shows ',' decimal (and '.' thousands)
    (["1,500", "0,250"], ["1.50", "0.25"]),               # 0,250 is a quarter, so ',' is decimal
    (["1.500", "1,234,567"], ["1500.00", "1234567.00"]),  # '1,234,567' shows nothing about '.'
]


@pytest.mark.parametrize("texts, stored", THOUSANDS_CASES, ids=[" ".join(t) for t, _ in THOUSANDS_CASES])
def test_three_digits_after_one_separator_read_from_the_column(cases, texts, stored):
    out = cases("expenditure", "amount_eur", texts)
    assert out.result.status == "loaded", out.result.report()
    assert [out.stored[t] for t in texts] == [Decimal(s) for s in stored]
    assert [out.raw[t] for t in texts] == texts  # the text as sent is kept


@pytest.mark.parametrize("texts, stored", [(["0.005", "0,005"], [0.005, 0.005]),  # integer part 0: decimal
                                           (["1,500", "7,5"], [1.5, 7.5]),         # ',' decimal in the column
                                           (["1,500", "7"], [1500.0, 7.0])])       # never decimal: thousands
def test_hours_read_three_digits_from_the_column_too(cases, texts, stored):
    out = cases("teacher_training", "hours", texts)
    assert out.result.status == "loaded", out.result.report()
    assert [out.stored[t] for t in texts] == stored


# -- results dated before the project start ------------------------------------------------------------------

BEFORE_START = "is before the project start (2018-03-01): only results of the project count"


@pytest.mark.parametrize("dataset, column", [("learning_communities", "established_on"),
                                             ("teacher_training", "training_date"),
                                             ("startups", "registered_on"), ("networks", "launched_on")])
def test_results_dated_before_the_project_start_are_refused(cases, dataset, column):
    # programme.toml: start = 2018-03-01. The day before, in any date form, and a 2017 date are refused;
    # the start day itself is a result of the project.
    texts = ["2018-02-28", "28/02/2018", "2017-06-01", "2018-03-01"]
    out = cases(dataset, column, texts)
    assert out.result.status == "refused"
    assert out.problems == {t: [(column, f"'{t}' {BEFORE_START}")] for t in texts[:3]}


def test_datasets_of_relative_indicators_keep_their_2017_baseline(cases):
    out = cases("school_attendance", "month", ["2017-03", "2018-02"])
    assert out.result.status == "loaded", out.result.report()
    assert out.stored == {"2017-03": dt.date(2017, 3, 1), "2018-02": dt.date(2018, 2, 1)}


def test_negative_hours_refused(cases):
    out = cases("teacher_training", "hours", ["-1"])
    assert out.problems["-1"] == [("hours", "'-1' must be 0 or more")]


# -- booleans and identifiers ---------------------------------------------------------------------------------

BOOLS = {"true": True, "false": False, "TRUE": True, "False": False, "yes": True, "no": False, "YES": True,
         "No": False, "y": True, "n": False, "Y": True, "N": False, "1": True, "0": False, "ja": True,
         "nee": False, "JA": True, "Nee": False, "oui": True, "non": False, "OUI": True, "Non": False}


@pytest.mark.parametrize("text", list(BOOLS))
def test_booleans_in_every_listed_form(cases, text):
    out = cases("teacher_training", "completed", list(BOOLS))
    assert out.result.status == "loaded", out.result.report()
    assert out.stored[text] is BOOLS[text]


def test_unknown_boolean_refused(cases):
    out = cases("teacher_training", "completed", ["maybe", "2"])
    assert out.problems["maybe"] == [("completed",
                                      "'maybe' is not yes or no; write true/false, yes/no, ja/nee or oui/non")]
    assert out.problems["2"][0][0] == "completed"


@pytest.mark.parametrize("text, stored", [("0590001A", "0590001A"), ("007", "007"), ("00", "00"),
                                          (" 0042 ", "0042"), ("1.0", "1.0"), ("1e5", "1e5")])
def test_identifiers_stay_text_as_sent(cases, text, stored):
    out = cases("school_attendance", "school_id", ["0590001A", "007", "00", " 0042 ", "1.0", "1e5"])
    assert out.result.status == "loaded", out.result.report()
    assert out.stored[text] == stored
    assert out.raw[text] == text


def test_identifier_with_leading_zero_survives_export(load, write_csv, export):
    assert load("startups", write_csv(rows_from([valid("startups", entrepreneur_id="0012")]))).status == "loaded"
    assert export("startups")[0]["entrepreneur_id"] == "0012"


def test_clean_and_other_shapes_in_one_column_read_alike(load, write_csv, query, export):
    """The loader reads a cell of the clean shape (2019-03, 20) at once and the others in every accepted form;
    both give the same value, and only the others keep their text as sent."""
    records = [valid("school_attendance", school_id="S1"),  # row 2: every cell clean
               valid("school_attendance", school_id="S2", month="03/2019", children_enrolled="020"),  # row 3
               valid("school_attendance", school_id="S3", month="2019-3", children_attending="18.0")]  # row 4
    assert load("school_attendance", write_csv(rows_from(records))).status == "loaded"
    # 03/2019 and 2019-3 are March 2019; 020 is twenty and 18.0 eighteen: the values of row 2.
    assert query("SELECT source_row, month, children_enrolled, children_attending, raw FROM school_attendance "
                 "ORDER BY source_row") == [
        (2, dt.date(2019, 3, 1), 20, 18, None),
        (3, dt.date(2019, 3, 1), 20, 18, '{"month":"03/2019","children_enrolled":"020"}'),
        (4, dt.date(2019, 3, 1), 20, 18, '{"month":"2019-3","children_attending":"18.0"}')]
    assert [(r["month"], r["children_enrolled"], r["children_attending"]) for r in export("school_attendance")] == [
        ("2019-03", "20", "18"), ("03/2019", "020", "18"), ("2019-3", "20", "18.0")]


# -- cross-column checks, empty cells, suppression marks ----------------------------------------------------

@pytest.mark.parametrize("dataset, changes, expected", [
    ("school_attendance", {"children_enrolled": "10", "children_attending": "11"},
     [("children_attending", "'11' is more than children_enrolled (10)")]),
    ("school_attendance", {"children_enrolled": "10", "children_attending": "10"}, []),
    ("school_attendance", {"sessions_possible": "100", "sessions_attended": "101"},
     [("sessions_attended", "'101' is more than sessions_possible (100)")]),
    ("school_attendance", {"sessions_possible": "100", "sessions_attended": "100"}, []),
    ("parent_involvement", {"parents_total": "10", "parents_engaged": "11"},
     [("parents_engaged", "'11' is more than parents_total (10)")]),
    ("parent_involvement", {"parents_total": "10", "parents_engaged": "10"}, []),
])
def test_part_not_more_than_whole(check, write_csv, dataset, changes, expected):
    result = check(dataset, write_csv(rows_from([valid(dataset, **changes)])))
    assert [(p.row, p.column, p.message) for p in result.problems] == [(2, c, m) for c, m in expected]


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_empty_required_cell_is_a_problem(check, write_csv, dataset):
    ds = load_contract()[dataset]
    required = [c for c in ds.required if ds.columns[c].default is None]
    # row i empties required column i; the last row has a cell of spaces only, which counts as empty
    records = [valid(dataset, **{ds.key[0]: f"K{i}", col: ""}) for i, col in enumerate(required)]
    records.append(valid(dataset, **{ds.key[0]: "KX", required[-1]: "   "}))
    result = check(dataset, write_csv(rows_from(records), name="e.csv"))
    got = {(p.row, p.column, p.message) for p in result.problems}
    want = {(i + 2, col, "is empty; this column is required") for i, col in enumerate(required)}
    want.add((len(required) + 2, required[-1], "'   ' is empty; this column is required"))
    assert got == want


SUPPRESSION = ["c", "x", "z", "<5", ":", "C", "X"]


@pytest.mark.parametrize("mark", SUPPRESSION)
@pytest.mark.parametrize("column", ["children_enrolled", "month"])
def test_suppression_marks_are_refused(cases, mark, column):
    out = cases("school_attendance", column, SUPPRESSION)
    assert out.problems[mark] == [(column, f"'{mark}' is a suppression mark; the dashboard needs the exact figure")]


def test_suppression_mark_in_an_amount_is_refused(cases):
    out = cases("expenditure", "amount_eur", ["c"])
    assert out.problems["c"] == [("amount_eur", "'c' is a suppression mark; the dashboard needs the exact figure")]


# -- keys ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dataset, records, duplicate_rows", [
    ("learning_communities", [{}, {"partner_id": "adice", "established_on": "2019-04-01"}], [3]),
    ("learning_communities", [{}, {"partner_id": "UOG", "region": "UKJ41"}], []),  # same id, other partner
    ("school_attendance", [{"month": "2019-03"}, {"month": "03/2019"}, {"month": "15/03/2019"}], [3, 4]),
    ("school_attendance", [{"gender": "F"}, {"gender": "M"}], []),  # a breakdown is not a repeat
    ("school_attendance", [{"gender": "F"}, {"gender": "F"}], [3]),
    ("teacher_training", [{}, {"training_id": "TR2"}], []),
    ("teacher_training", [{}, {"hours": "3"}], [3]),
    ("expenditure", [{}, {"amount_eur": "-10"}], [3]),
])
def test_two_rows_with_the_same_key_are_a_problem(check, write_csv, dataset, records, duplicate_rows):
    result = check(dataset, write_csv(rows_from([valid(dataset, **r) for r in records]), name="k.csv"))
    repeats = [p for p in result.problems if "repeats row 2" in p.message]
    assert [p.row for p in repeats] == duplicate_rows
    assert len(result.problems) == len(duplicate_rows)
    for p in repeats:
        assert p.column == load_contract()[dataset].key[0]
        assert ": same partner_id, " in p.message


# -- regions and partners -------------------------------------------------------------------------------------

NUTS_2013 = [  # (code as sent, 2016 code stored, partner)
    ("FR301", "FRE11", "ADICE"), ("FR302", "FRE12", "ADICE"), ("FR221", "FRE21", "ADICE"),
    ("FR223", "FRE23", "ADICE"), ("NL322", "NL328", "UCR"), ("NL339", "NL33C", "MIDDELBURG"),
    ("fr301", "FRE11", "ADICE"), ("fre11", "FRE11", "ADICE"),
]


@pytest.fixture(scope="module")
def nuts_loaded(tmp_path_factory):
    """One networks file with a row per case of NUTS_2013: (stored region, country, exported region) per row."""
    folder = tmp_path_factory.mktemp("nuts")
    records = [valid("networks", network_id=f"N{i}", partner_id=p, region=old)
               for i, (old, _, p) in enumerate(NUTS_2013)]
    path = folder / "nuts.csv"
    path.write_bytes(csv_bytes(rows_from(records)))
    db = folder / "siree.duckdb"
    result = load_file(db, "networks", path, today=TODAY)
    assert result.status == "loaded", result.report()
    with store.connect(db) as con:
        stored = con.execute("select region, country from networks order by source_row").fetchall()
    out = folder / "export.csv"
    assert cli.main(["export", "--db", str(db), "--dataset", "networks", "--out", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as f:
        exported = [r["region"] for r in csv.DictReader(f)]
    return [(*s, e) for s, e in zip(stored, exported, strict=True)]


@pytest.mark.parametrize("case", range(len(NUTS_2013)), ids=[old for old, _, _ in NUTS_2013])
def test_nuts_2013_codes_are_translated(nuts_loaded, case):
    old, new, partner = NUTS_2013[case]
    assert nuts_loaded[case] == (new, "FR" if partner == "ADICE" else "NL", old)  # the code as sent stays available


@pytest.mark.parametrize("partner, region, message", [
    ("ADICE", "BE212", "'BE212' is a region in BE, but partner ADICE works in FR"),
    ("ADICE", "NL322", "'NL322' is a region in NL, but partner ADICE works in FR"),
    ("UOG", "FR301", "'FR301' is a region in FR, but partner UOG works in UK"),
    ("ADICE", "FR101", "'FR101' is not a NUTS-3 region of the 2 Seas programme area"),
    ("MECHELEN", "BE100", "'BE100' is not a NUTS-3 region of the 2 Seas programme area"),
    ("UOG", "Medway", "'Medway' is not a NUTS-3 region of the 2 Seas programme area"),
])
def test_region_outside_area_or_partner_country_refused(check, write_csv, partner, region, message):
    result = check("networks", write_csv(rows_from([valid("networks", partner_id=partner, region=region)])))
    [problem] = result.problems
    assert (problem.row, problem.column) == (2, "region")
    assert problem.message.startswith(message)


def _partners() -> dict[str, dict[str, str]]:
    with (ROOT / "data" / "reference" / "partners.csv").open(encoding="utf-8", newline="") as f:
        return {r["partner_id"]: r for r in csv.DictReader(f)}


def test_partner_ids_any_case_and_country_recorded(load, write_csv, query):
    partners = _partners()
    assert set(partners) == {"UOG", "VIVES", "MEDWAYPLUS", "UCR", "MECHELEN", "ADICE", "MIDDELBURG", "ARHUS", "LSF"}
    records = [valid("networks", network_id=f"N{i}", partner_id=p.lower() if i % 2 else p, region=r["home_region"])
               for i, (p, r) in enumerate(partners.items())]
    assert load("networks", write_csv(rows_from(records))).status == "loaded"
    got = query("select partner_id, country from networks order by source_row")
    assert got == [(p, r["country"]) for p, r in partners.items()]


def test_unknown_partner_refused(check, write_csv):
    result = check("networks", write_csv(rows_from([valid("networks", partner_id="ACME")])))
    assert [(p.row, p.column) for p in result.problems] == [(2, "partner_id")]
    assert result.problems[0].message.startswith("'ACME' is not a SIREE partner id; use one of UOG, VIVES")


# -- defaults --------------------------------------------------------------------------------------------------

def test_expenditure_without_region_uses_the_home_region(load, write_csv, query):
    partners = _partners()
    records = [valid("expenditure", partner_id=p, line_id="L1", region=None) for p in partners]
    assert load("expenditure", write_csv(rows_from(records))).status == "loaded"
    got = dict(query("select partner_id, region from expenditure"))
    assert got == {p: r["home_region"] for p, r in partners.items()}


def test_expenditure_with_empty_region_cell_uses_the_home_region(load, write_csv, query):
    records = [valid("expenditure", partner_id="MECHELEN", line_id="L1", region=""),
               valid("expenditure", partner_id="MECHELEN", line_id="L2", region="BE211")]
    assert load("expenditure", write_csv(rows_from(records))).status == "loaded"
    assert query("select line_id, region from expenditure order by line_id") == [("L1", "BE212"), ("L2", "BE211")]


def test_startups_without_jobs_created_default_to_zero(load, write_csv, query):
    assert load("startups", write_csv(rows_from([valid("startups", jobs_created=None)]), name="a.csv")).status == "loaded"
    records = [valid("startups", entrepreneur_id="E2", jobs_created=""), valid("startups", entrepreneur_id="E3",
                                                                              jobs_created="4")]
    assert load("startups", write_csv(rows_from(records), name="b.csv")).status == "loaded"
    assert query("select entrepreneur_id, jobs_created from startups order by entrepreneur_id") == [
        ("E001", 0), ("E2", 0), ("E3", 4)]


# -- messages ------------------------------------------------------------------------------------------------

def test_message_format_file_row_column_quoted_value(check, write_csv):
    records = [valid("school_attendance"),
               valid("school_attendance", school_id="S2", month="2019-13", children_enrolled="x"),
               valid("school_attendance", school_id="S3", partner_id="NOBODY")]
    result = check("school_attendance", write_csv(rows_from(records), name="attendance march.csv"))
    assert result.report() == [
        "attendance march.csv:3: month: '2019-13' is not a month; write it as YYYY-MM, MM/YYYY or a date",
        "attendance march.csv:3: children_enrolled: 'x' is a suppression mark; the dashboard needs the exact figure",
        "attendance march.csv:4: partner_id: 'NOBODY' is not a SIREE partner id; use one of UOG, VIVES, MEDWAYPLUS, "
        "UCR, MECHELEN, ADICE, MIDDELBURG, ARHUS, LSF",
    ]


def test_display_name_is_used_in_messages(check, write_csv):
    path = write_csv(rows_from([valid("networks", members="-1")]))
    assert check("networks", path, display="uploads/ADICE networks.csv").report() == [
        "uploads/ADICE networks.csv:2: members: '-1' must be 0 or more"]


def test_a_value_with_a_line_break_stays_on_one_message_line(check, write_csv):
    result = check("networks", write_csv(rows_from([valid("networks", members="1\n2")]), name="n.csv"))
    assert result.report() == ["n.csv:2: members: '1\\n2' is not a number"]


def test_many_problems_are_all_listed_one_per_line(check, write_csv):
    records = [valid("networks", network_id=f"N{i}", members=str(-i - 1)) for i in range(120)]
    result = check("networks", write_csv(rows_from(records), name="many.csv"))
    lines = result.report()
    assert result.problem_count == 120
    assert len(lines) >= 50
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), [line for line, m in zip(lines, parsed, strict=True) if not m][:3]
    assert [int(m["row"]) for m in parsed] == list(range(2, 122))
    assert parsed[0]["message"] == "'-1' must be 0 or more"
    assert {m["file"] for m in parsed} == {"many.csv"}


def test_very_many_problems_end_with_a_count_of_the_rest(check, write_csv):
    records = [valid("networks", network_id=f"N{i}", members="-1") for i in range(1100)]
    lines = check("networks", write_csv(rows_from(records), name="m.csv")).report()
    assert len(lines) >= 51
    assert all(LINE.match(line) for line in lines[:-1])
    assert re.fullmatch(r"m\.csv: \.\.\. and \d+ more problems \(the first \d+ are listed\)", lines[-1])
    listed, more = int(lines[-1].split("first ")[1].split()[0]), int(lines[-1].split("and ")[1].split()[0])
    assert listed + more == 1100 and listed == len(lines) - 1


def test_wrong_dataset_with_no_shared_column_is_a_one_line_refusal(check, write_csv):
    result = check("expenditure", write_csv(rows_from([{"colour": "blue", "size": "3"}]), name="w.csv"))
    assert result.refusal.startswith("w.csv: this is not a file of the expenditure dataset: none of its columns (colour, size)")
    assert "\n" not in result.refusal


@pytest.mark.parametrize("sent, chosen", [("startups", "networks"), ("learning_communities", "expenditure")])
def test_file_of_another_dataset_is_refused_not_raised(check, write_csv, sent, chosen):
    result = check(chosen, write_csv(rows_from([valid(sent)]), name="wrong.csv"))
    assert not result.ok
    missing = [line for line in result.report() if line.endswith("required column is missing")]
    assert missing and all(line.startswith("wrong.csv:1: ") for line in missing)
