"""Measures as data: each measure is declared once in measures.toml, checked at start-up, and a new measure
is one declaration and its SQL files (contributor test 2 of issue #8, on a copy of the catalogue).

Programme: 2018-03-01 to 2021-12-31 (1401 days); at as-of 2019-06-30, f = 486 / 1401 = 0.347.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from helpers import TODAY, csv_bytes

from siree_metrics.ingest import store
from siree_metrics.ingest.contract import load_contract
from siree_metrics.ingest.load import load_file
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import summarize
from siree_metrics.reference import (
    REFERENCE_DIR,
    SQL_DIR,
    SQL_FILES,
    CatalogueError,
    check_against_contract,
    load_reference,
)

AS_OF = dt.date(2019, 6, 30)

# The hours-per-teacher indicator a contributor adds: an average, the same target for every selection.
HOURS_PER_TEACHER = '''
[[indicator]]
id = "hours_per_teacher"
label_en = "Training hours per teacher"
label_nl = "Opleidingsuren per leerkracht"
label_fr = "Heures de formation par enseignant"
description = "Hours of completed SIREE training per teacher trained."
unit = "hours per teacher"
kind = "count"
target = 20
dataset = "teacher_training"
measure = "{measure}"
column = "hours"
denominator = "teacher_id"
date = "training_date"
where = "{where}"
page = "education"
order = 9
caption = "{{label}}: the target is {{target}} {{unit}}."
'''

TRAININGS = [
    ["partner_id", "region", "teacher_id", "training_id", "training_date", "hours", "completed"],
    ["VIVES", "BE251", "T1", "TR1", "2018-09-01", "6", "yes"],
    ["VIVES", "BE251", "T1", "TR2", "2019-01-01", "10", "yes"],  # T1 again: one teacher, 16 hours
    ["VIVES", "BE251", "T2", "TR1", "2018-09-01", "8", "yes"],
    ["VIVES", "BE251", "T3", "TR1", "2018-10-01", "4", "no"],  # not completed: left out by `where`
    ["ADICE", "FRE11", "T1", "TR9", "2019-02-01", "12", "yes"],  # another partner's T1: another teacher
    ["ADICE", "FRE11", "T9", "TR9", "2019-08-01", "100", "yes"],  # after the as-of date: not counted
]


def catalogue_copy(tmp_path: Path, measure: str = "per_entity", where: str = "completed") -> Path:
    """A copy of data/reference/ with the hours_per_teacher indicator added."""
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    with (folder / "indicators.toml").open("a", encoding="utf-8") as f:
        f.write(HOURS_PER_TEACHER.format(measure=measure, where=where))
    return folder


def contract_columns() -> dict[str, dict[str, str]]:
    return {n: {c: col.sql_type for c, col in ds.columns.items()} for n, ds in load_contract().items()}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("measures")
    db = folder / "siree.duckdb"
    path = folder / "teacher_training.csv"
    path.write_bytes(csv_bytes(TRAININGS))
    assert load_file(db, "teacher_training", path, today=TODAY).status == "loaded"
    return db


def hours(db: Path, ref, **filters: tuple[str, ...]):
    with store.connect(db) as con:
        return {r.id: r for r in summarize(con, AS_OF, Filters(**filters), ref=ref).indicators}["hours_per_teacher"]


def test_a_new_average_indicator_is_data_and_its_target_is_not_summed(tmp_path, db):
    ref = load_reference(catalogue_copy(tmp_path))
    check_against_contract(ref, contract_columns())
    # Programme: completed hours up to 2019-06-30 = 6 + 10 + 8 + 12 = 36 over the teachers (VIVES, T1),
    # (VIVES, T2), (ADICE, T1) = 3 -> 12.0 hours per teacher; attainment 12 / 20 = 0.6 >= 0.9 x 0.347: on track.
    r = hours(db, ref)
    assert (r.value, r.target, r.target_illustrative) == (pytest.approx(12.0), 20.0, False)
    assert r.attainment == pytest.approx(0.6) and r.status == "on_track"
    assert r.n == 5  # rows up to the as-of date, T3's uncompleted training included
    assert r.forecast is None  # an average does not grow with time: no straight-line forecast
    # Belgium: (6 + 10 + 8) / 2 teachers = 12.0; the target stays 20 (not a sum of partner shares).
    be = hours(db, ref, countries=("BE",))
    assert (be.value, be.target, be.target_illustrative, be.attainment) == (
        pytest.approx(12.0), 20.0, False, pytest.approx(0.6))
    # France: 12 / 1 teacher = 12.0 against 20. A region: the same target, not "no target".
    assert (hours(db, ref, countries=("FR",)).value, hours(db, ref, countries=("FR",)).target) == (12.0, 20.0)
    region = hours(db, ref, regions=("BE251",))
    assert (region.value, region.target, region.status) == (pytest.approx(12.0), 20.0, "on_track")


def test_the_filter_is_an_sql_expression_over_the_dataset(tmp_path, db):
    ref = load_reference(catalogue_copy(tmp_path, where="completed and hours >= 8"))
    check_against_contract(ref, contract_columns())
    # Completed trainings of 8 hours or more: VIVES T1 10, VIVES T2 8, ADICE T1 12 -> 30 / 3 teachers = 10.0.
    assert hours(db, ref).value == pytest.approx(10.0)


def test_a_filter_naming_an_unknown_column_is_refused(tmp_path):
    ref = load_reference(catalogue_copy(tmp_path, where="completed and grade > 3"))
    with pytest.raises(CatalogueError) as e:
        check_against_contract(ref, contract_columns())
    assert str(e.value).startswith("indicators.toml: indicator hours_per_teacher: where 'completed and grade > 3' "
                                   "is not an expression over teacher_training's columns")
    ref = load_reference(catalogue_copy(tmp_path / "text", where="teacher_id"))
    with pytest.raises(CatalogueError, match="where 'teacher_id' is VARCHAR, not true/false"):
        check_against_contract(ref, contract_columns())


def test_an_undeclared_measure_is_refused_in_one_line(tmp_path):
    with pytest.raises(CatalogueError) as e:
        load_reference(catalogue_copy(tmp_path, measure="mean"))
    assert str(e.value) == ("indicators.toml: indicator hours_per_teacher: measure 'mean' is not declared in "
                            "measures.toml")


@pytest.mark.parametrize(("old", "new", "message"), [
    ('direction = "higher"\naccumulates = false\nperiod_words = "average over the period"',
     'accumulates = false\nperiod_words = "average over the period"',
     "measures.toml: measure per_entity: direction not declared"),
    ('level = "level_per_entity.sql"', 'level = "level_hours.sql"',
     "measures.toml: measure per_entity: sql.level file 'level_hours.sql' is not in siree_metrics/metrics/sql/"),
    ('target_split = "same"\ndirection = "higher"\naccumulates = false\nperiod_words = "average',
     'target_split = "split"\ndirection = "higher"\naccumulates = false\nperiod_words = "average',
     "measures.toml: measure per_entity: target_split 'split' is not one of sum, same"),
])
def test_a_broken_measure_declaration_is_refused_in_one_line(tmp_path, old, new, message):
    folder = catalogue_copy(tmp_path)
    path = folder / "measures.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(CatalogueError) as e:
        load_reference(folder)
    assert str(e.value) == message


def test_every_measure_has_its_sql_files_and_every_indicator_a_declared_measure():
    ref = load_reference()
    for m in ref.measures.values():
        assert set(SQL_FILES[m.kind]) <= set(m.sql)
        assert all((SQL_DIR / f).is_file() for f in m.sql.values())
        if m.kind == "relative":
            assert m.target_split == "same" and m.compared_with
    for ind in ref.indicators:
        assert ind.measure_spec is ref.measures[ind.measure] and ind.measure_spec.kind == ind.kind
    check_against_contract(ref, contract_columns())


def test_a_level_is_shown_as_its_measure_declares():
    m = load_reference().measures
    assert (m["ratio"].show(0.317), m["monthly_mean"].show(1234.4), m["per_entity"].show(12.25)) == (
        "32%", "1,234", "12.2")
