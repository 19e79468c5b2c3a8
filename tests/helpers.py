"""Plain helpers and inline test data shared by the test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the package is used from the checkout, not installed
    sys.path.insert(0, str(ROOT))

from siree_metrics.ingest.contract import load_contract  # noqa: E402

TODAY = dt.date(2022, 6, 30)

# One minimal valid row per dataset, as the text a partner would type (required columns, plus the
# optional ones worth exercising). Partners and regions are chosen to cover all four countries.
VALID: dict[str, dict[str, str]] = {
    "learning_communities": {"community_id": "C001", "partner_id": "ADICE", "region": "FRE11",
                             "established_on": "2019-03-15", "setting": "primary"},
    "school_attendance": {"partner_id": "MECHELEN", "region": "BE212", "school_id": "0590001A", "month": "2019-03",
                          "children_enrolled": "20", "children_attending": "18"},
    "parent_involvement": {"partner_id": "UCR", "region": "NL342", "community_id": "P001", "month": "2019-03",
                           "parents_total": "40", "parents_engaged": "12"},
    "adult_education": {"partner_id": "ARHUS", "region": "BE256", "provider_id": "CVO-1", "month": "2019-03",
                        "new_enrolments": "7"},
    "teacher_training": {"partner_id": "VIVES", "region": "BE251", "teacher_id": "T001", "training_id": "TR1",
                         "training_date": "2019-03-15", "hours": "7.5", "completed": "yes"},
    "startups": {"partner_id": "UOG", "region": "UKJ41", "entrepreneur_id": "E001", "registered_on": "2019-03-15",
                 "sector": "catering", "jobs_created": "2"},
    "networks": {"network_id": "N001", "partner_id": "MIDDELBURG", "region": "NL342", "launched_on": "2019-03-15",
                 "members": "12"},
    "expenditure": {"partner_id": "LSF", "line_id": "L0001", "paid_on": "2019-03-15", "cost_category": "staff",
                    "amount_eur": "1234.56", "region": "BE255"},
}

DATASETS = list(load_contract())

Rows = Sequence[Sequence[object]]


def rows_from(records: Iterable[dict[str, object]]) -> list[list[object]]:
    """Header (union of keys, first-seen order) followed by one list per record ('' where a key is absent)."""
    records = list(records)
    header: list[str] = []
    for rec in records:
        header += [k for k in rec if k not in header]
    return [header, *([rec.get(h, "") for h in header] for rec in records)]


def valid(dataset: str, **changes: object) -> dict[str, object]:
    """A copy of the dataset's valid row with some cells changed (None removes the column)."""
    row: dict[str, object] = dict(VALID[dataset])
    for k, v in changes.items():
        if v is None:
            row.pop(k, None)
        else:
            row[k] = v
    return row


def csv_bytes(rows: Rows, delimiter: str = ",", encoding: str = "utf-8", bom: bool = False,
              newline: str = "\n") -> bytes:
    """Rows as CSV bytes in a given dialect; utf-16 always carries its BOM (Python's codec writes it)."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    data = buf.getvalue().encode(encoding)
    if bom and encoding.replace("_", "-").lower() in ("utf-8", "utf8"):
        data = b"\xef\xbb\xbf" + data
    return data


def typed(dataset: str, name: str, text: object) -> object:
    """The value a typed export (Parquet, XLSX) would hold for a text cell, per the contract's column type."""
    if text in ("", None):
        return None
    kind = load_contract()[dataset].columns[name].type
    text = str(text)
    if kind in ("date", "month"):
        return dt.date.fromisoformat(text if len(text) == 10 else text + "-01")
    if kind == "count":
        return int(text)
    if kind in ("amount", "hours"):
        return float(text)
    if kind == "bool":
        return text.lower() in ("yes", "true", "1")
    return text


def subprocess_env() -> dict[str, str]:
    """Environment for child processes: the checkout importable, no SIREE_DB leaking in."""
    env = {k: v for k, v in os.environ.items() if k != "SIREE_DB"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env
