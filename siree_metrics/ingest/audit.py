"""Audit and time travel: retracting and restoring batches, the data as loaded on a past moment, and what a
batch changed.

Nothing is ever deleted. Every row ever loaded is stored once, in its dataset's table while it is current,
else in ``<dataset>_replaced``; the current rows follow one rule: **for each key, the row of the newest batch
that holds the key and is not retracted**. A load keeps to it (its rows replace the stored ones with the same
key); :func:`retract` and :func:`restore` re-apply it to the keys of one batch, so a chain settles right
(A's row replaced by B's, B's by C's: retracting B changes nothing, C's row stays; retracting C as well
brings back A's). Both acts are logged in ``batch_log`` (who, when, why, rows moved), in the same
transaction as the move.

Because the current rows are a function of the batches loaded and the acts logged, the data as they stood at
a past moment can be rebuilt from the stored rows: :func:`connect_as_loaded_on` opens a connection in which
every table name means the table as it was then (batches loaded later left out, acts done later undone). The
query functions of ``siree_metrics.metrics`` read tables by name, so every figure can be reproduced as it
was shown at a meeting.

Moments are the server's local time, to the second, as ``batches.loaded_at`` records it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from siree_metrics.i18n import t
from siree_metrics.ingest import store
from siree_metrics.ingest.checks import canonical, ident, lit
from siree_metrics.ingest.contract import Contract, Dataset, load_contract

RETRACTED, RESTORED = "retracted", "restored"


class AuditError(Exception):
    """An act that cannot be done (no such batch, already retracted, no reason given): the message says why."""


# -- moments ------------------------------------------------------------------------------------------------

_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?")


def parse_moment(text: str) -> dt.datetime:
    """A moment as a reader writes it: ``YYYY-MM-DD`` is the end of that day (everything loaded that day
    counts), ``YYYY-MM-DD HH:MM[:SS]`` (or with ``T``) that moment; fractions of a second are dropped.
    Server local time, no zone. ValueError with a message naming the text for anything else."""
    text = text.strip()
    problem = ValueError(t("{value} is not a moment; write YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS] (the server's local "
                           "time)", value=repr(text[:40])))
    if not _MOMENT.fullmatch(text):
        raise problem
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise problem from None
    if len(text) == 10:
        moment = moment.replace(hour=23, minute=59, second=59)
    return moment.replace(microsecond=0)


def moment_text(moment: dt.datetime) -> str:
    """``2021-03-01 14:05:00``: how a moment is written back (to the second)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _until(moment: dt.datetime) -> str:
    """SQL for the end of the moment's second (a moment counts to the second; everything before this is in)."""
    return f"(TIMESTAMP {lit(moment_text(moment))} + INTERVAL 1 SECOND)"


# -- retract and restore ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Act:
    """What a retraction or restoration did."""

    batch: int
    dataset: str
    file_name: str
    action: str  # RETRACTED or RESTORED
    rows_out: int  # rows taken out of the current figures
    rows_back: int  # rows brought back into them

    @property
    def message(self) -> str:
        one = self.rows_out == 1
        if self.action == RETRACTED:
            return t("batch {batch} ({file}, {dataset}) retracted: {out} row taken out of the figures, {back} brought "
                     "back" if one else "batch {batch} ({file}, {dataset}) retracted: {out} rows taken out of the "
                     "figures, {back} brought back", batch=self.batch, file=self.file_name, dataset=self.dataset,
                     out=self.rows_out, back=self.rows_back)
        return t("batch {batch} ({file}, {dataset}) restored: {out} row taken out of the figures, {back} brought back"
                 if one else "batch {batch} ({file}, {dataset}) restored: {out} rows taken out of the figures, {back} "
                 "brought back", batch=self.batch, file=self.file_name, dataset=self.dataset, out=self.rows_out,
                 back=self.rows_back)


def retract(db: Path, batch: int, by: str, reason: str, on_wait: Callable[[], None] | None = None,
            contract: Contract | None = None) -> Act:
    """Take batch ``batch`` out of the current figures, and log it (``by``, now, ``reason``), in one
    transaction. Its rows move to ``<dataset>_replaced``; for each of its keys the row of the newest other
    batch that is not retracted comes back (the row it replaced, unless a later batch replaced that one
    too). AuditError for an unknown or already retracted batch, or an empty reason or name."""
    return _act(db, batch, RETRACTED, by, reason, on_wait, contract)


def restore(db: Path, batch: int, by: str, reason: str, on_wait: Callable[[], None] | None = None,
            contract: Contract | None = None) -> Act:
    """Undo the retraction of batch ``batch``, and log it: for each of its keys its row is current again
    unless a newer batch (not retracted) holds the key. AuditError for a batch that is not retracted."""
    return _act(db, batch, RESTORED, by, reason, on_wait, contract)


def _act(db: Path, batch: int, action: str, by: str, reason: str, on_wait: Callable[[], None] | None,
         contract: Contract | None) -> Act:
    reason, by = (reason or "").strip(), (by or "").strip()
    if not reason:
        raise AuditError(t("a retraction needs a reason (it is logged with who did it and when)" if action == RETRACTED
                           else "a restoration needs a reason (it is logged with who did it and when)"))
    if not by:
        raise AuditError(t("a retraction needs the name of who does it" if action == RETRACTED
                           else "a restoration needs the name of who does it"))
    contract = load_contract() if contract is None else contract
    with store.connect(db, write=True, on_wait=on_wait, contract=contract) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            found = con.execute("SELECT dataset, file_name FROM batches WHERE batch_id = $b", {"b": batch}).fetchone()
            if found is None:
                raise AuditError(t("there is no batch {batch}; the Data page lists the loaded files with their batch",
                                   batch=batch))
            dataset, file_name = found
            retracted = state(con, batch) == RETRACTED
            if action == RETRACTED and retracted:
                raise AuditError(t("batch {batch} ({file}) is already retracted", batch=batch, file=file_name))
            if action == RESTORED and not retracted:
                raise AuditError(t("batch {batch} ({file}) is not retracted: there is nothing to restore", batch=batch,
                                   file=file_name))
            if dataset not in contract:
                raise AuditError(t("batch {batch} holds {dataset}, a dataset the contract no longer has", batch=batch,
                                   dataset=repr(dataset)))
            out, back = _settle(con, contract[dataset], batch, counts=action == RESTORED)
            con.execute("INSERT INTO batch_log SELECT coalesce(max(entry), 0) + 1, $b, $a, now()::TIMESTAMP, $by, $why, "
                        "$out, $back FROM batch_log",
                        {"b": batch, "a": action, "by": by, "why": reason, "out": out, "back": back})
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return Act(batch, dataset, file_name, action, out, back)


def last_act(con: duckdb.DuckDBPyConnection, batch: int) -> tuple[str, dt.datetime, str] | None:
    """The last act logged for ``batch``: (RETRACTED or RESTORED, when, why); None when it was never retracted."""
    row = con.execute("SELECT arg_max(action, entry), arg_max(done_at, entry), arg_max(reason, entry) FROM batch_log "
                      "WHERE batch_id = $b", {"b": batch}).fetchone()
    return row if row and row[0] is not None else None


def state(con: duckdb.DuckDBPyConnection, batch: int) -> str | None:
    """The last act logged for ``batch``: RETRACTED, RESTORED, or None (never retracted)."""
    act = last_act(con, batch)
    return act[0] if act else None


# The batches whose last logged act is a retraction.
_RETRACTED_SQL = "SELECT batch_id FROM {log} GROUP BY batch_id HAVING arg_max(action, entry) = 'retracted'"


def _settle(con: duckdb.DuckDBPyConnection, ds: Dataset, batch: int, counts: bool) -> tuple[int, int]:
    """Make the rows of every key batch ``batch`` holds follow the rule (the newest batch that counts wins),
    with ``batch`` counting or not as ``counts`` says; (rows moved out of the current table, rows moved
    back into it). A row moved out keeps as ``replaced_by`` the batch whose row is now current for its key,
    or NULL when its own batch is retracted; rows that stay where they are keep what they record."""
    table, replaced = ident(ds.name), ident(ds.name + "_replaced")
    key = ", ".join(ident(k) for k in ds.full_key)
    same = " AND ".join(f"r.{ident(k)} IS NOT DISTINCT FROM b.{ident(k)}" for k in ds.full_key)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE settle AS
        with stored as (
            select batch_id, source_row, {key}, true as is_current from {table}
            union all
            select batch_id, source_row, {key}, false as is_current from {replaced}
        ),
        touched as (
            select r.*,
                   case when r.batch_id = $b then $counts
                        else r.batch_id not in ({_RETRACTED_SQL.format(log='batch_log')}) end as counts
            from stored r
            where exists (select 1 from stored b where b.batch_id = $b and {same})
        ),
        ranked as (
            select *, max(batch_id) filter (where counts) over (partition by {key}) as winner from touched
        )
        select batch_id, source_row, is_current, coalesce(counts and batch_id = winner, false) as wins,
               case when counts then winner end as replaced_by
        from ranked
    """, {"b": batch, "counts": counts})
    row = "s.batch_id = t.batch_id AND s.source_row = t.source_row"
    out = con.execute(f"INSERT INTO {replaced} BY NAME SELECT t.*, s.replaced_by FROM {table} t "
                      f"JOIN settle s ON {row} WHERE s.is_current AND NOT s.wins").fetchall()[0][0]
    con.execute(f"DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM settle s WHERE {row} AND s.is_current "
                f"AND NOT s.wins)")
    back = con.execute(f"INSERT INTO {table} BY NAME SELECT t.* EXCLUDE (replaced_by) FROM {replaced} t "
                       f"JOIN settle s ON {row} WHERE NOT s.is_current AND s.wins").fetchall()[0][0]
    con.execute(f"DELETE FROM {replaced} t WHERE EXISTS (SELECT 1 FROM settle s WHERE {row} AND NOT s.is_current "
                f"AND s.wins)")
    con.execute("DROP TABLE settle")
    return out, back


# -- the data as loaded on a past moment --------------------------------------------------------------------


@contextlib.contextmanager
def connect_as_loaded_on(db: Path, moment: dt.datetime, on_wait: Callable[[], None] | None = None,
                         contract: Contract | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read connection to ``db`` in which every table holds what it held at ``moment`` (to the second):
    batches loaded later are left out, retractions and restorations logged later are undone, and so rows
    replaced later are current again. Every cursor of the connection sees the same (the tables are views in
    the connection's own in-memory database). A moment before the first load gives empty tables; a moment
    in the future gives the data as they are now."""
    contract = load_contract() if contract is None else contract
    with store.connect_attached(db, on_wait=on_wait, contract=contract) as con:
        _views_as_loaded_on(con, moment, contract)
        yield con


def _views_as_loaded_on(con: duckdb.DuckDBPyConnection, moment: dt.datetime, contract: Contract) -> None:
    """One view per stored table, named as the table: datasets, their ``_replaced`` tables, batches and the
    batch log as they were at ``moment``; any other table as it is."""
    src = ident(store.ATTACHED) + ".main."
    until = _until(moment)
    columns: dict[str, list[str]] = {}
    for name, column in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = $d AND schema_name = 'main' "
            "ORDER BY table_name, column_index", {"d": store.ATTACHED}).fetchall():
        columns.setdefault(name, []).append(column)
    replaced = {ds.name + "_replaced": ds for ds in contract.values()}
    for name, cols in columns.items():
        if name == "batches":
            body = f"SELECT * FROM {src}batches WHERE loaded_at < {until}"
        elif name == "batch_log":
            body = f"SELECT * FROM {src}batch_log WHERE done_at < {until}"
        elif name in contract and name + "_replaced" in columns:
            body = _rows_then(src, contract[name], columns[name], cols, until, current=True)
        elif name in replaced and replaced[name].name in columns:
            ds = replaced[name]
            body = _rows_then(src, ds, columns[ds.name], cols, until, current=False)
        else:
            body = f"SELECT * FROM {src}{ident(name)}"
        con.execute(f"CREATE VIEW {ident(name)} AS {body}")


def _rows_then(src: str, ds: Dataset, stored: list[str], wanted: list[str], until: str, current: bool) -> str:
    """SQL for the rows of ``ds`` current at ``until`` (``current``), or the others of the batches loaded
    by then (the ``_replaced`` table as it was, ``replaced_by`` the batch then current for the key, NULL
    for a row of a batch then retracted); columns ``wanted`` in that order. ``stored`` are the columns of
    the dataset's table, which its ``_replaced`` table has too."""
    cols = ", ".join(ident(c) for c in stored)
    key = ", ".join(ident(k) for k in ds.full_key)
    log = f"(SELECT * FROM {src}batch_log WHERE done_at < {until})"
    picked = ", ".join("case when counts then winner end as replaced_by" if c == "replaced_by" else ident(c)
                       for c in wanted)
    return f"""
        with counted as (
            select batch_id, batch_id not in ({_RETRACTED_SQL.format(log=log)}) as counts
            from {src}batches where dataset = {lit(ds.name)} and loaded_at < {until}
        ),
        stored as (
            select {cols} from {src}{ident(ds.name)}
            union all
            select {cols} from {src}{ident(ds.name + '_replaced')}
        ),
        ranked as (
            select s.*, c.counts, max(case when c.counts then s.batch_id end) over (partition by {key}) as winner
            from stored s join counted c on s.batch_id = c.batch_id
        )
        select {picked} from ranked
        where {'' if current else 'not '}coalesce(counts and batch_id = winner, false)
    """


# -- listing ------------------------------------------------------------------------------------------------

_BATCHES_SQL = """
    with retracted as ({retracted}), partners as ({partners})
    select b.batch_id, b.loaded_at, coalesce(b.loaded_by, '') as loaded_by, b.dataset, b.file_name, b.rows,
           b.replaced_rows,
           case when b.batch_id in (select batch_id from retracted) then 'retracted' else 'current' end as state,
           coalesce((select string_agg(p.partner_id, ',' order by p.partner_id) from partners p
                     where p.batch_id = b.batch_id), '') as partners
    from batches b
    order by b.batch_id desc
"""

_LOG_SQL = """
    select l.entry, l.done_at, l.done_by, l.action, l.batch_id, b.dataset, b.file_name, l.reason, l.rows_out,
           l.rows_back
    from batch_log l join batches b on b.batch_id = l.batch_id
    order by l.entry desc
"""


def batches(con: duckdb.DuckDBPyConnection, contract: Contract | None = None) -> pd.DataFrame:
    """Every batch, newest first: batch_id, loaded_at, loaded_by, dataset, file_name, rows, replaced_rows,
    ``state`` (``current`` or ``retracted``) and ``partners`` (the partners its rows are of, comma-separated)."""
    contract = load_contract() if contract is None else contract
    partners = " union ".join(f"select distinct batch_id, partner_id from {ident(t)}" for ds in contract.values()
                              for t in (ds.name, ds.name + "_replaced"))
    return con.execute(_BATCHES_SQL.format(retracted=_RETRACTED_SQL.format(log="batch_log"),
                                           partners=partners)).df()


def log(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every retraction and restoration, newest first: entry, done_at, done_by, action, batch_id, dataset,
    file_name, reason, rows_out, rows_back."""
    return con.execute(_LOG_SQL).df()


# -- what a batch changed -----------------------------------------------------------------------------------


@dataclass
class Comparison:
    """Batch ``batch`` against batch ``against`` (None: no earlier batch shares a key with it), row by row.

    ``added``: its rows whose key ``against`` does not have; ``gone``: the rows of ``against`` whose key it
    does not have; ``changed``: one line per cell that differs between the two rows of a key (``row`` in
    ``batch``'s file, the key's cells, ``column``, ``old``, ``new``); ``unchanged``: keys with every cell
    equal. Cells are shown as they were sent; rows of ``added`` and ``gone`` carry their ``row`` in their file.
    """

    dataset: str
    batch: int
    against: int | None
    added: pd.DataFrame
    changed: pd.DataFrame
    gone: pd.DataFrame
    unchanged: int


def _batch_rows(ds: Dataset, batch: str) -> str:
    """SQL: every row batch ``batch`` (a bound parameter's name) brought, current or not, limited to
    ``$partner`` when that is set."""
    cols = ", ".join(["batch_id", "source_row", *(ident(c) for c in ds.columns), "raw"])
    return " union all ".join(f"select {cols} from {ident(t)} where batch_id = {batch} "
                              f"and ($partner is null or partner_id = $partner)"
                              for t in (ds.name, ds.name + "_replaced"))


def _same(ds: Dataset, a: str, b: str) -> str:
    """SQL: rows ``a`` and ``b`` have the same key, as the loader matches keys (an empty cell matches one)."""
    return " AND ".join(f"{a}.{ident(k)} IS NOT DISTINCT FROM {b}.{ident(k)}" for k in ds.full_key)


def _as_sent(ds: Dataset, alias: str, name: str) -> str:
    column = ds.columns[name]
    return f"coalesce({alias}.raw ->> {lit('$.' + name)}, {canonical(column, f'{alias}.{ident(name)}')})"


def replaced_batch(con: duckdb.DuckDBPyConnection, batch: int, partner: str | None = None) -> int | None:
    """The batch ``batch`` replaced: of the earlier batches of its dataset, the one sharing most keys with it
    (the latest of equals); None when none shares a key (or there is no such batch). With ``partner``, only
    that partner's rows count."""
    found = con.execute("SELECT dataset FROM batches WHERE batch_id = $b", {"b": batch}).fetchone()
    contract = load_contract()
    if found is None or found[0] not in contract:
        return None
    ds = contract[found[0]]
    key = ", ".join(ident(k) for k in ds.full_key)
    earlier = " union all ".join(f"select batch_id, {key} from {ident(t)} where batch_id < $b "
                                 f"and ($partner is null or partner_id = $partner)"
                                 for t in (ds.name, ds.name + "_replaced"))
    row = con.execute(f"with mine as ({_batch_rows(ds, '$b')}), earlier as ({earlier}) "
                      f"select e.batch_id from earlier e join mine m on {_same(ds, 'e', 'm')} "
                      f"group by e.batch_id order by count(*) desc, e.batch_id desc limit 1",
                      {"b": batch, "partner": partner}).fetchone()
    return row[0] if row else None


def compare(con: duckdb.DuckDBPyConnection, batch: int, against: int | None = None,
            partner: str | None = None) -> Comparison:
    """Batch ``batch`` row by row against ``against`` (by default :func:`replaced_batch`); see Comparison.

    Only the partners that ``batch`` has rows of are compared (a file of one partner is not said to have
    dropped another partner's rows); with ``partner``, only that partner's rows (what a partner may see).
    Keys match as the loader matches them (with the partner; an empty cell matches an empty cell).
    AuditError for an unknown batch, or an ``against`` of another dataset."""
    contract = load_contract()
    found = con.execute("SELECT dataset FROM batches WHERE batch_id = $b", {"b": batch}).fetchone()
    if found is None or found[0] not in contract:
        raise AuditError(t("there is no batch {batch} to compare", batch=batch))
    ds = contract[found[0]]
    if against is None:
        against = replaced_batch(con, batch, partner)
    elif (con.execute("SELECT dataset FROM batches WHERE batch_id = $b", {"b": against}).fetchone() or [None])[0] \
            != ds.name:
        raise AuditError(t("batch {against} is not a batch of {dataset}, the dataset of batch {batch}", against=against,
                           dataset=ds.name, batch=batch))
    names, key = list(ds.columns), list(ds.full_key)
    base = (f"with new as ({_batch_rows(ds, '$b')}), "
            f"old as (select * from ({_batch_rows(ds, '$a')}) where partner_id in (select partner_id from new)) ")
    params = {"b": batch, "a": against, "partner": partner}

    def rows(side: str, other: str) -> pd.DataFrame:
        """The rows of ``side`` whose key ``other`` does not have, as sent."""
        cells = ", ".join(f"{_as_sent(ds, 'x', n)} as {ident(n)}" for n in names)
        return con.execute(f"{base} select x.source_row as row, {cells} from {side} x where not exists "
                           f"(select 1 from {other} y where {_same(ds, 'x', 'y')}) order by x.source_row",
                           params).df()

    added, gone = rows("new", "old"), rows("old", "new")
    others = [n for n in names if n not in key]
    same = _same(ds, "n", "o")
    keys = ", ".join(f"{_as_sent(ds, 'n', k)} as {ident(k)}" for k in key)
    diffs = " union all ".join(
        f"select n.source_row as row, {keys}, {i} as position, {lit(c)} as column, {_as_sent(ds, 'o', c)} as old, "
        f"{_as_sent(ds, 'n', c)} as new from new n join old o on {same} where n.{ident(c)} IS DISTINCT FROM o.{ident(c)}"
        for i, c in enumerate(others))
    changed = con.execute(f"{base} select * exclude (position) from ({diffs}) order by row, position",
                          params).df() if others else pd.DataFrame(columns=["row", *key, "column", "old", "new"])
    pairs = con.execute(f"{base} select count(*) from new n join old o on {same}", params).fetchall()[0][0]
    unchanged = pairs - (changed["row"].nunique() if len(changed) else 0)
    return Comparison(ds.name, batch, against, added, changed, gone, int(unchanged))
