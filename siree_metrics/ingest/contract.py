"""The data contract: which datasets partners send, their columns, types, keys and checks.

Read from ``data/reference/contract.toml`` (or a copy of the reference folder, passed explicitly). Also
home to header matching, since which header names a file may use (English names and Dutch or French
aliases) is part of the contract.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from siree_metrics.reference import REFERENCE_DIR, CatalogueError, check_against_contract, load_reference

TYPES = ("id", "partner", "region", "date", "month", "count", "amount", "hours", "bool", "choice", "text")
SQL_TYPES = {
    "id": "VARCHAR", "partner": "VARCHAR", "region": "VARCHAR", "text": "VARCHAR", "choice": "VARCHAR",
    "date": "DATE", "month": "DATE", "count": "BIGINT", "amount": "DECIMAL(18,2)", "hours": "DOUBLE",
    "bool": "BOOLEAN",
}


@dataclass(frozen=True)
class Column:
    """A column of contract.toml; ``default`` fills a cell sent empty or a column left out."""

    name: str
    type: str
    description: str
    aliases_nl: tuple[str, ...]
    aliases_fr: tuple[str, ...]
    values: tuple[str, ...] = ()
    default: str | None = None
    not_before: str | None = None  # "project_start": an earlier date is not a result of the project

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]


@dataclass(frozen=True)
class Dataset:
    """A dataset of contract.toml: its columns, key (with partner_id, ``full_key``), date and checks."""

    name: str
    label: str
    row: str
    key: tuple[str, ...]  # without partner_id, which is always part of the key
    date: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    checks: tuple[tuple[str, str], ...]  # (a, b): a <= b
    columns: dict[str, Column]  # every column of the dataset, in file order: required then optional

    @property
    def full_key(self) -> tuple[str, ...]:
        return ("partner_id", *self.key)


def normalise_header(text: str) -> str:
    """Header as matched: no accents, lower case, surrounding spaces gone, spaces and hyphens as '_'."""
    text = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).strip().lower()
    text = re.sub(r"[\s\-]+", "_", text)
    return text.replace("'", "_").replace("’", "_")


Contract = dict[str, Dataset]  # dataset name -> Dataset, in contract.toml's order


@functools.cache
def load_contract(directory: Path = REFERENCE_DIR) -> Contract:
    """Read ``directory``/contract.toml into Dataset objects and check it, and that the indicator catalogue
    of the same directory names only its datasets and columns; cached per directory.

    Raises CatalogueError naming the file and the entry (a column, a dataset) on any inconsistency: an
    unknown type, a missing field, a dataset naming an unknown column, two columns sharing a header.
    """
    path = directory / "contract.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise CatalogueError(f"{path}: not valid TOML: {e}") from None
    try:
        columns = {
            name: Column(
                name=name,
                type=spec["type"],
                description=spec["description"],
                aliases_nl=tuple(spec.get("nl", ())),
                aliases_fr=tuple(spec.get("fr", ())),
                values=tuple(spec.get("values", ())),
                default=spec.get("default"),
                not_before=spec.get("not_before"),
            )
            for name, spec in raw["columns"].items()
        }
    except KeyError as e:
        raise CatalogueError(f"{path}: a column has no {e.args[0]!r}") from None
    for col in columns.values():
        if col.type not in TYPES:
            raise CatalogueError(f"{path}: column {col.name}: unknown type {col.type!r}")
        if col.not_before not in (None, "project_start") or (col.not_before and col.type != "date"):
            raise CatalogueError(f"{path}: column {col.name}: not_before must be \"project_start\", on a date")
    datasets = {}
    for name, spec in raw.get("datasets", {}).items():
        try:
            names = [*spec["required"], *spec["optional"]]
            unknown = [n for n in names if n not in columns]
            if unknown:
                raise CatalogueError(f"{path}: dataset {name}: unknown columns {unknown}")
            ds = Dataset(
                name=name,
                label=spec["label"],
                row=spec["row"],
                key=tuple(spec["key"]),
                date=spec["date"],
                required=tuple(spec["required"]),
                optional=tuple(spec["optional"]),
                checks=tuple((a, b) for a, b in spec.get("checks", ())),
                columns={n: columns[n] for n in names},
            )
        except KeyError as e:
            raise CatalogueError(f"{path}: dataset {name}: no {e.args[0]!r}") from None
        _check_dataset(ds, path)
        datasets[name] = ds
    check_against_contract(load_reference(directory),  # columns, dates and `where` filters of the catalogue
                           {n: {c: col.sql_type for c, col in ds.columns.items()} for n, ds in datasets.items()})
    return datasets


def _check_dataset(ds: Dataset, path: Path) -> None:
    """Raise CatalogueError if a key, date or check names a column ``ds`` lacks, partner_id is not required,
    or one header (after normalising) would match two columns."""
    for col in (*ds.key, ds.date, *(c for pair in ds.checks for c in pair)):
        if col not in ds.columns:
            raise CatalogueError(f"{path}: dataset {ds.name}: {col!r} is not one of its columns")
    if "partner_id" not in ds.required:
        raise CatalogueError(f"{path}: dataset {ds.name}: partner_id must be required")
    seen: dict[str, str] = {}
    for column in ds.columns.values():
        for alias in {normalise_header(a) for a in (column.name, *column.aliases_nl, *column.aliases_fr)}:
            if seen.setdefault(alias, column.name) != column.name:
                raise CatalogueError(
                    f"{path}: dataset {ds.name}: header {alias!r} would match both {seen[alias]} and {column.name}"
                )


def header_map(ds: Dataset) -> dict[str, str]:
    """Normalised header name (English or alias) -> contract column name, for one dataset."""
    return {
        normalise_header(a): col.name
        for col in ds.columns.values()
        for a in (col.name, *col.aliases_nl, *col.aliases_fr)
    }
