"""Property-based tests of the loader (#9, hypothesis): random bytes and random tables never crash with a
traceback and never half-load.

Whatever a file holds, ``load_file`` either returns a result ("loaded", "already_loaded" or "refused") or
raises ``Refused`` (not a table at all); and afterwards the database holds either exactly what it held
before, or that plus one whole batch: its rows, no more, no fewer. Examples are bounded (50 per property,
no deadline) so the file runs in about 20 s; ``--hypothesis-seed`` reproduces a run.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from helpers import TODAY, VALID
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from siree_metrics.ingest import store
from siree_metrics.ingest.contract import load_contract
from siree_metrics.ingest.load import load_file
from siree_metrics.ingest.problems import Refused

EXAMPLES = 50
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
DATASETS = ("startups", "learning_communities")  # both have free-text columns (sector, name) and an id
# Cell text: separators, quotes, line breaks, NUL, a BOM, accents, a right-to-left mark, an emoji.
NASTY = st.text(alphabet=st.sampled_from(list(",;\t\"'\r\n\x00 \ufeff=+-@<>&éß€\u202e😀aZ09.:/\\")), max_size=12)


def state(db: Path, dataset: str) -> tuple:
    """What the database holds for ``dataset``: its batches, and the count and hash sum of its rows, current
    and replaced (a load only adds rows: a replaced row moves from one table to the other)."""
    if not db.exists():
        return ()
    with store.connect(db) as con:
        batches = con.execute("SELECT batch_id, dataset, rows FROM batches ORDER BY batch_id").fetchall()
        rows = [con.execute(f'SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM "{t}" t').fetchone()
                for t in (dataset, dataset + "_replaced")]
        return tuple(batches), tuple(rows)


def rows_of(db: Path, dataset: str, batch: int) -> int:
    with store.connect(db) as con:
        return con.execute(f'SELECT (SELECT count(*) FROM "{dataset}" WHERE batch_id = $b) + '
                           f'(SELECT count(*) FROM "{dataset}_replaced" WHERE batch_id = $b)', {"b": batch}).fetchone()[0]


def try_load(db: Path, dataset: str, path: Path) -> tuple[str, int, tuple, tuple]:
    """Load ``path``; (outcome, rows it says it loaded, state before, state after). Any exception other than
    Refused fails the test (it would be a traceback for the user)."""
    before = state(db, dataset)
    try:
        result = load_file(db, dataset, path, today=TODAY)
        outcome, rows = result.status, result.rows
        if outcome == "refused":
            assert result.report(), "a refusal says why"
    except Refused as e:
        outcome, rows = "not a table", 0
        assert str(e) and "\n" not in str(e).strip()  # one line for the partner
    after = state(db, dataset)
    event(outcome)  # counted by --hypothesis-show-statistics (docs/reliability.md)
    if outcome == "loaded":
        (b_before, _), (b_after, r_after) = before or ((), ()), after
        assert len(b_after) == len(b_before) + 1  # one new batch ...
        batch, _, recorded = b_after[-1]
        assert recorded == rows == rows_of(db, dataset, batch)  # ... stored whole
        grown = sum(n for n, _ in r_after) - (sum(n for n, _ in before[1]) if before else 0)
        assert grown == rows  # and nothing else
    else:
        assert after == before or (before == () and not db.exists())  # nothing changed
    return outcome, rows, before, after


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


@SETTINGS
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ".parquet", ".txt"]),
       dataset=st.sampled_from(DATASETS))
def test_random_bytes_never_crash_and_never_half_load(folder: Path, data: bytes, suffix: str, dataset: str) -> None:
    db = folder / "bytes.duckdb"
    path = folder / f"random{suffix}"
    path.write_bytes(data)
    try_load(db, dataset, path)


@st.composite
def tables(draw: st.DrawFn) -> tuple[str, list[str], list[list[str]]]:
    """A dataset, a header drawn from the contract's column names (in any order, some missing, some twice,
    sometimes an unknown one), and up to 6 rows whose cells are mostly the valid value, some nasty text."""
    dataset = draw(st.sampled_from(DATASETS))
    names = list(load_contract()[dataset].columns)
    header = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names) + 1))
    if draw(st.integers(0, 3)):
        header = list(dict.fromkeys(header + names))  # all the columns, mostly unique: some files load
    if draw(st.integers(0, 9)) == 0:
        header.append(draw(NASTY))
    prefix = draw(st.text(alphabet="ABC", max_size=2))
    ids = [f"{prefix}{i}" for i in range(6)]  # distinct within a file; the same across files (a correction)
    rows = []
    for i in range(draw(st.integers(0, 6))):
        row = []
        for name in header:
            good = VALID[dataset].get(name, "")
            if name.endswith("_id") and name != "partner_id":
                good = ids[i]  # distinct keys, so a file of valid rows is accepted
            row.append(draw(st.one_of(st.just(good), NASTY)) if draw(st.integers(0, 5)) == 0 else good)
        rows.append(row)
    return dataset, header, rows


@SETTINGS
@given(table=tables(), delimiter=st.sampled_from([",", ";", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
       spoil=st.one_of(st.none(), st.tuples(st.integers(0, 10_000), st.binary(min_size=1, max_size=4))))
def test_random_tables_never_crash_and_load_whole_or_not_at_all(folder: Path, table: tuple, delimiter: str,
                                                                encoding: str, spoil: tuple | None) -> None:
    dataset, header, rows = table
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    data = buf.getvalue().encode(encoding, errors="replace")
    if spoil is not None:  # a few stray bytes somewhere: non-UTF-8, a NUL, a broken quote
        at, junk = spoil[0] % (len(data) + 1), spoil[1]
        data = data[:at] + junk + data[at:]
    path = folder / "table.csv"
    path.write_bytes(data)
    outcome, loaded, _, _ = try_load(folder / "tables.duckdb", dataset, path)
    if outcome == "loaded" and spoil is None:
        # csv.writer quotes every cell holding a separator, quote or line break, so the file has exactly one
        # line per row; a row whose cells are all empty may be skipped as a blank line, nothing else is
        assert loaded == len([r for r in rows if any(c for c in r)]) or loaded == len(rows)
