"""Real public files (../shared/realdata, see its PROVENANCE.md) sent as if they were partner exports.

None of them is a SIREE dataset, so each must be refused cleanly as every dataset — a one-line reason or a
list of problems, never an exception — and the reader must recognise each file's dialect. These tests
skip where ../shared is absent, as on a user's machine.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from helpers import DATASETS

from siree_metrics.ingest import read

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
FILES = sorted(p for p in REALDATA.rglob("*") if p.is_file()) if REALDATA.is_dir() else []
ABSENT = "../shared/realdata is absent (as on a user's machine); the real-file tests need it"

pytestmark = pytest.mark.skipif(not FILES, reason=ABSENT)

# The dialect of each real CSV, as PROVENANCE.md describes it (and the bytes confirm).
DIALECTS = {
    "eurostat_asylum/migr_asyappctza_1_Data-2017-05-31-ADDED.csv": "CSV, UTF-8, comma-separated",
    "dfe_ees/week_29_persistent_absence.csv": "CSV, UTF-8, comma-separated",
    "dfe_ees/EES_ytd_data.csv": "CSV, UTF-8, comma-separated",
    "dfe_ees/la_maintained_schools_revenue_reserve_final.csv": "CSV, UTF-8 with BOM, comma-separated",
    "duo_nl/alle-vestigingen-bo.csv": "CSV, Windows-1252, semicolon-separated",
    "duo_nl/gemiddelde-eindscores-bo-sbo-2018-2019.csv": "CSV, Windows-1252, semicolon-separated",
    "duo_nl/gemiddelde-afstand-tussen-woonadres-leerling-en-schoolvestiging-2019-2020.csv":
        "CSV, Windows-1252, semicolon-separated",
    "duo_nl/vsv-per-swv-2015.csv": "CSV, UTF-8, semicolon-separated",
    "data_education_gouv_fr/fr-en-college-effectifs-niveau-sexe-lv.csv": "CSV, UTF-8 with BOM, semicolon-separated",
    "data_education_gouv_fr/fr-en-ecoles-effectifs-nb_classes.csv": "CSV, UTF-8 with BOM, semicolon-separated",
    "data_education_gouv_fr/fr-en-effectifs-second-degre.csv": "CSV, UTF-8 with BOM, semicolon-separated",
    "flanders_dataloep_derived/students.csv": "CSV, UTF-8 with BOM, semicolon-separated",
    "nuts/nuts_v2016__2018_2020.csv": "CSV, UTF-8, comma-separated",
    "nuts/nuts_v2013__2015_2017.csv": "CSV, UTF-8, comma-separated",
}


def _ids(path: Path) -> str:
    return str(path.relative_to(REALDATA))


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("path", FILES or [None], ids=_ids if FILES else None)
def test_real_file_is_refused_cleanly(load, db, path, dataset):
    result = load(dataset, path)  # an exception here is the failure this test guards against
    assert result.status == "refused"
    lines = result.report()
    assert lines, "a refusal must say why"
    assert all("\n" not in line and "Traceback" not in line for line in lines)
    if result.refusal:
        assert lines == [result.refusal]
        assert result.refusal.startswith(f"{path.name}: ")
    else:
        shape = re.compile(rf"^{re.escape(path.name)}(:\d+)?: ")
        assert all(shape.match(line) for line in lines), lines[:3]
        assert result.problem_count >= 1
    assert not db.exists()  # nothing was written


@pytest.mark.parametrize("relative", list(DIALECTS))
def test_reader_detects_each_real_dialect(relative):
    path = REALDATA / relative
    if not path.is_file():
        pytest.skip(f"{relative} is not in ../shared/realdata")
    with duckdb.connect(":memory:") as con:
        table = read.stage(con, path, path.name)
    assert table.description == DIALECTS[relative]
    assert table.problems == []
    assert table.rows > 100


def test_duo_windows_1252_file_keeps_the_curly_apostrophe():
    path = REALDATA / "duo_nl" / "alle-vestigingen-bo.csv"
    if not path.is_file():
        pytest.skip("the DUO Windows-1252 file is not in ../shared/realdata")
    assert b"\x92t Kompas" in path.read_bytes()  # the byte that latin-1 would turn into a control character
    with duckdb.connect(":memory:") as con:
        table = read.stage(con, path, path.name)
        assert table.description == "CSV, Windows-1252, semicolon-separated"
        anywhere = " OR ".join(f"c{i} LIKE $text" for i in range(len(table.headers)))
        kompas = con.execute(f"SELECT count(*) FROM {table.name} WHERE {anywhere}", {"text": "%\u2019t Kompas%"}
                             ).fetchone()[0]
        control = con.execute(f"SELECT count(*) FROM {table.name} WHERE {anywhere}", {"text": "%\u0092%"}
                              ).fetchone()[0]
    assert kompas >= 1
    assert control == 0


def test_duo_file_check_reports_windows_1252(check):
    path = REALDATA / "duo_nl" / "alle-vestigingen-bo.csv"
    if not path.is_file():
        pytest.skip("the DUO Windows-1252 file is not in ../shared/realdata")
    result = check("school_attendance", path)
    assert not result.ok
    assert "Windows-1252" in result.description
