"""Each of the eight datasets loads from each of the three formats, with the values stored typed."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import DATASETS, VALID, rows_from, typed, valid

from siree_metrics.ingest.contract import load_contract


def test_inline_rows_cover_the_whole_contract():
    assert set(VALID) == set(load_contract())
    for name, ds in load_contract().items():
        assert set(ds.required) <= set(VALID[name]), name


def xlsx_cells(dataset: str, record: dict[str, object]) -> list[object]:
    """Cells as Excel holds them: real dates (as datetimes, like Excel), numbers, booleans, text ids."""
    cells = []
    for name, text in record.items():
        value = typed(dataset, name, text)
        cells.append(dt.datetime.combine(value, dt.time()) if isinstance(value, dt.date) else value)
    return cells


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
@pytest.mark.parametrize("dataset", DATASETS)
def test_each_dataset_loads_in_each_format(load, query, write_csv, write_parquet, write_xlsx, dataset, fmt):
    ds = load_contract()[dataset]
    records = [valid(dataset), valid(dataset, **{ds.key[0]: "0042"})]
    if fmt == "csv":
        path = write_csv(rows_from(records), delimiter=";")
    elif fmt == "parquet":
        path = write_parquet(dataset, records)
    else:
        path = write_xlsx([list(records[0]), *(xlsx_cells(dataset, r) for r in records)])
    result = load(dataset, path)
    assert result.status == "loaded", result.report()
    assert result.rows == 2
    columns = list(VALID[dataset])
    got = query(f"select {', '.join(columns)} from {dataset} order by source_row")
    expected = [tuple(typed(dataset, c, r[c]) for c in columns) for r in records]
    assert [tuple(float(v) if c in ("amount_eur",) else v for c, v in zip(columns, row, strict=True)) for row in got] == expected
    assert [r[0] for r in query(f"select {ds.key[0]} from {dataset} order by source_row")] == [
        VALID[dataset][ds.key[0]], "0042"]  # a text identifier keeps its leading zeros in every format
    assert query("select dataset, rows from batches") == [(dataset, 2)]
