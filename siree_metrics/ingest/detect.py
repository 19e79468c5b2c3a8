"""An uploaded file before it is loaded: which dataset its header fits, and its problems as a table.

``detect_dataset`` is a pure function of the header; ``file_headers`` reads a file's header the way the
loader does (same formats, encodings and delimiters); ``problem_table`` splits the loader's problems into
row, column, value and reason while keeping each one's exact ``FILE:ROW: COLUMN: message`` line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from siree_metrics.ingest import read
from siree_metrics.ingest.contract import Dataset, header_map, load_contract, normalise_header
from siree_metrics.ingest.load import Checked
from siree_metrics.ingest.problems import Refused

COMMON = ("partner_id", "region")  # every dataset has them: they say nothing about which one a file is


@dataclass(frozen=True)
class Match:
    dataset: str
    own_found: int  # the dataset's columns present, other than partner_id and region
    required_found: int
    required: int

    @property
    def complete(self) -> bool:
        return self.required_found == self.required


def _match(headers: list[str] | tuple[str, ...], ds: Dataset) -> Match:
    names = header_map(ds)
    found = {names[h] for h in (normalise_header(x) for x in headers) if h in names}
    return Match(ds.name, len(found - set(COMMON)), len(found & set(ds.required)), len(ds.required))


def matches(headers: list[str] | tuple[str, ...]) -> list[Match]:
    """How well the header fits each dataset of the contract, best first.

    Best = the most of the dataset's own columns present (beyond partner_id and region, as English names or
    Dutch/French aliases, matched as the loader matches them), then every required column present.
    """
    found = [_match(headers, ds) for ds in load_contract().values()]
    return sorted(found, key=lambda m: (m.own_found, m.complete), reverse=True)


def detect_dataset(headers: list[str] | tuple[str, ...]) -> str | None:
    """The dataset whose contract columns best match ``headers``; None when none fits or two fit equally.

    A dataset only counts with at least one of its own columns beyond partner_id and region; of two with
    as many, the one with all its required columns wins, and if that does not settle it, nothing is guessed.
    """
    best, second = matches(headers)[:2]
    if best.own_found == 0:
        return None
    if (second.own_found, second.complete) == (best.own_found, best.complete):
        return None
    return best.dataset


def file_headers(path: Path) -> list[str]:
    """The header of a CSV, Parquet or XLSX file as the loader reads it; empty when it is not a table."""
    with duckdb.connect(":memory:") as con:
        try:
            return read.stage(con, Path(path), Path(path).name).headers
        except Refused:
            return []


def problem_table(checked: Checked) -> pd.DataFrame:
    """The problems of a checked file: row, column, value, reason and the exact line the command line prints.

    A file that is not a table at all gives one row with only the reason. The value is the offending cell
    as the loader quotes it (empty for problems about the file or a column as a whole).
    """
    columns = ["row", "column", "value", "reason", "line"]
    if checked.refusal:
        return pd.DataFrame([{"row": None, "column": None, "value": None, "reason": checked.refusal,
                              "line": checked.refusal}], columns=columns)
    records = []
    for p in checked.problems:
        value, reason = None, p.message
        end = p.message.rfind("' ")  # reasons hold no quote, so the last "' " closes the quoted value
        if p.message.startswith("'") and end > 0:
            value, reason = p.message[1:end], p.message[end + 2:]
        records.append({"row": p.row, "column": p.column, "value": value, "reason": reason, "line": str(p)})
    lines = checked.report()
    if len(lines) > len(checked.problems):  # "... and N more problems"
        records.append({"row": None, "column": None, "value": None, "reason": lines[-1], "line": lines[-1]})
    frame = pd.DataFrame(records, columns=columns)
    frame["row"] = frame["row"].astype("Int64")
    return frame
