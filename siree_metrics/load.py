"""Loading partner files: stage, check every rule, and store the file whole — or refuse it whole.

``check_file`` reads and checks a file without touching any database (the upload page's preview);
``load_file`` does the same and then, if nothing is wrong, stores it as one batch in one transaction.
Staging and checking run in a private in-memory DuckDB, so readers of the database are only held up
for the short final write.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import read, store
from .checks import Rules, canonical, cleaned, ident, lit
from .contract import Dataset, header_map, load_contract, normalise_header
from .problems import Problem, Refused, quote
from .reference import Reference, load_reference

MAX_LISTED = 1000


@dataclass
class Checked:
    """The outcome of checking one file against one dataset."""

    file: str
    dataset: str
    rows: int = 0
    description: str = ""
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    warnings: list[str] = field(default_factory=list)
    refusal: str | None = None  # a one-line reason when the file is not a table of this dataset at all
    preview: list[dict[str, str | None]] = field(default_factory=list)  # first rows, as sent

    @property
    def ok(self) -> bool:
        return self.refusal is None and self.problem_count == 0

    def report(self) -> list[str]:
        """The problems as lines ``FILE:ROW: COLUMN: message``, with a last line if some were not listed."""
        if self.refusal:
            return [self.refusal]
        lines = [str(p) for p in self.problems]
        if self.problem_count > len(self.problems):
            lines.append(f"{self.file}: ... and {self.problem_count - len(self.problems)} more problems "
                         f"(the first {len(self.problems)} are listed)")
        return lines


@dataclass
class LoadResult(Checked):
    status: str = "refused"  # "loaded", "already_loaded" or "refused"
    batch_id: int | None = None
    replaced: int = 0
    message: str = ""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _scratch() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:", config={"memory_limit": store.MEMORY_LIMIT,
                                             "temp_directory": tempfile.gettempdir() + "/siree-duckdb"})
    return con


class _Plan:
    """The SQL for one staged file: each contract column's raw text, typed value and problem."""

    def __init__(self, ds: Dataset, ref: Reference, headers: list[str], row: str | None, today: dt.date):
        self.ds, self.ref, self.headers, self.row = ds, ref, headers, row
        self.r = "_row"  # SQL for a record's spreadsheet row in the parsed table; set once it is read
        self.rules = Rules(ds, ref, today)
        names = header_map(ds)
        self.position: dict[str, int] = {}
        self.header_problems: list[str | tuple[str, str]] = []
        self.ignored: list[str] = []
        for i, header in enumerate(headers):
            name = names.get(normalise_header(header))
            if name is None:
                self.ignored.append(header)
            elif name in self.position:
                first = headers[self.position[name]]
                self.header_problems.append((name, f"two columns mean {name}: {quote(first)} and {quote(header)}; keep one"))
            else:
                self.position[name] = i
        for name in ds.required:
            if name not in self.position:
                self.header_problems.append((name, "required column is missing"))

    def raw(self, name: str) -> str:
        """The cell as sent (in the parsed query); NULL for a column the file does not have."""
        return ident("raw_" + name) if name in self.position else "NULL"

    def shown(self, name: str) -> str:
        """The cell as sent, from the parsed table (its stored raw text, or the value's own rendering)."""
        return f"coalesce({self.raw(name)}, {canonical(self.ds.columns[name], self.v(name))})"

    def _stored_raw(self, name: str) -> str:
        """The raw text to keep: NULL where it is just the typed value's own rendering (checks.canonical),
        so a clean ten-million-row file is not stored twice; ``shown`` and export put it back."""
        col = self.ds.columns[name]
        if col.default is not None or (name == "region" and name in self.ds.optional):
            return f"coalesce({self.raw(name)}, '')"  # '' = sent empty (or not sent), filled by the default
        if name not in self.position:
            return "NULL"
        return f"(CASE WHEN {self.raw(name)} IS DISTINCT FROM {canonical(col, self.v(name))} THEN {self.raw(name)} END)"

    def v(self, name: str) -> str:
        """The typed value (in the parsed query)."""
        return ident("v_" + name)

    def _t(self, name: str) -> str:
        """The cell without surrounding blanks (computed only where a rule needs it)."""
        return cleaned(self.raw(name)) if name in self.position else "NULL"

    def partner_country(self, partner: str) -> str:
        cases = " ".join(f"WHEN {lit(p.id)} THEN {lit(p.country)}" for p in self.ref.partners.values())
        return f"(CASE {partner} {cases} END)"

    def _value(self, name: str) -> str:
        """The typed value over the layer holding u_<col> (parsed, not yet range-checked)."""
        col = self.ds.columns[name]
        u = ident("u_" + name)
        if name == "region" and name in self.ds.optional:  # expenditure: the partner's home region by default
            homes = " ".join(f"WHEN {lit(p.id)} THEN {lit(p.home_region)}" for p in self.ref.partners.values())
            partner = ident("u_partner_id") if "partner_id" in self.position else "NULL"
            home = f"(CASE {partner} {homes} END)"
            if name not in self.position:
                return home
            return f"(CASE WHEN {self._t(name)} IS NULL THEN {home} ELSE {u} END)"
        if name not in self.position:
            return f"CAST({lit(col.default)} AS {col.sql_type})" if col.default is not None else f"CAST(NULL AS {col.sql_type})"
        value = self.rules.valid(col, u)
        if col.default is not None:
            value = f"(CASE WHEN {self._t(name)} IS NULL THEN CAST({lit(col.default)} AS {col.sql_type}) ELSE {value} END)"
        return value

    def parsed(self) -> str:
        """SQL over ``{source}`` (cells c0..cN) giving per record: raw_<col> (as sent), v_<col> (typed) and
        p_<col> (the problem, if any), and _row where the source numbers its rows. Built in layers so each
        cell is parsed once, with a fast path for clean cells."""
        cells = [f"{self.row} AS _row"] if self.row else []
        cells += [f"c{i} AS {ident('raw_' + name)}" for name, i in self.position.items()]
        parsed = ", ".join(f"{self.rules.parse(self.ds.columns[n], self.raw(n))} AS {ident('u_' + n)}"
                           for n in self.position)
        values = ", ".join(f"{self._value(n)} AS {self.v(n)}" for n in self.ds.columns)
        problems = "".join(f", {p} AS {ident('p_' + n)}" for n in self.ds.columns if (p := self.problem(n)))
        kept = ", ".join([*(["_row"] if self.row else []),
                          *(f"{self._stored_raw(n)} AS {ident('raw_' + n)}" for n in self.ds.columns),
                          *(self.v(n) for n in self.ds.columns)])
        layer = f"(SELECT {', '.join(cells)} FROM {{source}})"
        if parsed:
            layer = f"(SELECT *, {parsed} FROM {layer})"
        return f"SELECT {kept}{problems} FROM (SELECT *, {values} FROM {layer})"

    def problem(self, name: str) -> str | None:
        """SQL for the message about this column's cell (over the parsed query); NULL when it is fine."""
        if name not in self.position:
            return None
        col = self.ds.columns[name]
        required = name in self.ds.required and col.default is None
        messages = [self.rules.problem(col, self._t(name), self.v(name), required)]
        if name == "region":
            region, partner = self.v("region"), self.v("partner_id")
            country = self.partner_country(partner)
            messages.append(f"(CASE WHEN left({region}, 2) <> {country} THEN 'is a region in ' || left({region}, 2) "
                            f"|| ', but partner ' || {partner} || ' works in ' || {country} END)")
        for a, b in self.ds.checks:
            if a == name and b in self.position:
                messages.append(f"(CASE WHEN {self.v(a)} > {self.v(b)} THEN {lit(f'is more than {b} (')} "
                                f"|| {self.v(b)} || ')' END)")
        return f"coalesce({', '.join(messages)})" if len(messages) > 1 else messages[0]


def _header_refusal(plan: _Plan, display: str) -> str | None:
    if plan.position:
        return None
    shown = ", ".join(plan.headers[:6]) + (", ..." if len(plan.headers) > 6 else "")
    return (f"{display}: this is not a file of the {plan.ds.name} dataset: none of its columns ({shown}) is one "
            f"of that dataset's columns; the first row must hold {', '.join(plan.ds.required)} "
            f"(see the template data/templates/{plan.ds.name}.csv)")


def _row_problems(con: duckdb.DuckDBPyConnection, plan: _Plan, display: str) -> tuple[list[Problem], int]:
    """Every problem in the rows, in one scan for the cells and one for repeated keys."""
    order = list(plan.ds.columns)
    checked = [n for n in order if n in plan.position]
    parts = []
    if checked:
        structs = ", ".join(f"{{'o': {order.index(n)}, 'col': {lit(n)}, 'value': {plan.shown(n)}, "
                            f"'msg': {ident('p_' + n)}}}" for n in checked)
        any_problem = " OR ".join(f"{ident('p_' + n)} IS NOT NULL" for n in checked)
        parts.append(f"""
            SELECT r, s.o, s.col, s.value, s.msg FROM (
              SELECT {plan.r} AS r, unnest([{structs}]) AS s
              FROM parsed WHERE {any_problem})
            WHERE s.msg IS NOT NULL""")
    key = list(plan.ds.full_key)
    if all(k in plan.position for k in key if k in plan.ds.required):
        first_key = next(k for k in plan.ds.key if k in plan.position)
        keys = ", ".join(plan.v(k) for k in key)
        present = " AND ".join(f"{plan.v(k)} IS NOT NULL" for k in key if k in plan.ds.required)
        same = " AND ".join(f"k.{plan.v(k)} IS NOT DISTINCT FROM d.{plan.v(k)}" for k in key)
        message = lit(f": same {', '.join(key)} (one row is {plan.ds.row})")
        # Grouping ten million keys is costly; grouping their 64-bit hashes is not. Only the few rows whose
        # hash repeats are then compared by their real key.
        parts.append(f"""
            SELECT * FROM (
              WITH h AS (SELECT hash({keys}) AS h FROM parsed WHERE {present} GROUP BY 1 HAVING count(*) > 1),
                   k AS (SELECT {plan.r} AS r, {keys}, {plan.shown(first_key)} AS shown FROM parsed
                         WHERE {present} AND hash({keys}) IN (SELECT h FROM h)),
                   d AS (SELECT {keys}, min(r) AS first_r FROM k GROUP BY ALL HAVING count(*) > 1)
              SELECT k.r, {order.index(first_key)} AS o, {lit(first_key)} AS col, k.shown AS value,
                     'repeats row ' || d.first_r || {message} AS message
              FROM k JOIN d ON {same} WHERE k.r <> d.first_r)""")
    if not parts:
        return [], 0
    rows = con.execute(f"SELECT r, col, value, msg, count(*) OVER () FROM ({' UNION ALL '.join(parts)}) "
                       f"ORDER BY r, o LIMIT {MAX_LISTED}").fetchall()
    problems = [Problem(display, r, col, str(msg) if value is None else f"{quote(value)} {msg}")
                for r, col, value, msg, _ in rows]
    return problems, (rows[0][4] if rows else 0)


def _check(con: duckdb.DuckDBPyConnection, path: Path, display: str, dataset: str,
           today: dt.date | None) -> tuple[Checked, _Plan | None]:
    contract = load_contract()
    checked = Checked(display, dataset)
    if dataset not in contract:
        checked.refusal = f"{display}: unknown dataset {dataset!r}; use one of {', '.join(contract)}"
        return checked, None
    ds, ref = contract[dataset], load_reference()
    plans: list[_Plan] = []

    def project(headers: list[str], row: str | None) -> str:  # called by the reader once it has the header
        plan = _Plan(ds, ref, headers, row, today or dt.date.today())
        plans.append(plan)
        refusal = _header_refusal(plan, display)
        if refusal:
            raise Refused(refusal)
        return plan.parsed()

    try:
        table = read.stage(con, path, display, table="parsed", project=project)
    except Refused as e:
        checked.refusal, checked.description = str(e), e.description
        return checked, (plans[-1] if plans else None)
    plan = plans[-1]
    plan.r = table.row_expr
    checked.rows, checked.description = table.rows, table.description
    checked.warnings = [f"{display}: column {quote(h)} is not part of the {dataset} data and was ignored"
                        for h in plan.ignored if h.strip()]
    problems = [Problem(display, 1, name, message) for name, message in plan.header_problems]
    if table.problems:
        problems += table.problems
        problems.append(Problem(display, None, None, "the values were not checked: first give every row "
                                                     "as many cells as the header has columns"))
        count = len(problems)
    elif table.rows == 0:
        checked.refusal = f"{display}: the file has no data rows, only a header"
        return checked, plan
    else:
        found, count = _row_problems(con, plan, display)
        problems += found
        count += len(plan.header_problems)
    checked.problems, checked.problem_count = problems[:MAX_LISTED], count
    if not table.problems:
        cols = ", ".join(plan.shown(n) for n in plan.position)
        checked.preview = [dict(zip(plan.position, row, strict=True)) for row in
                           con.execute(f"SELECT {cols} FROM parsed ORDER BY {plan.r} LIMIT 20").fetchall()]
    return checked, plan


def check_file(path: Path, dataset: str, display: str | None = None, today: dt.date | None = None) -> Checked:
    """Read and check ``path`` as ``dataset`` without storing anything."""
    with _scratch() as con:
        return _check(con, Path(path), display or Path(path).name, dataset, today)[0]


def load_file(db: Path, dataset: str, path: Path, display: str | None = None, loaded_by: str | None = None,
              today: dt.date | None = None, on_wait: Callable[[], None] | None = None) -> LoadResult:
    """Check ``path`` as ``dataset`` and, if it has no problem, store it in ``db`` as one batch.

    A byte-identical file already loaded for this dataset changes nothing. Rows whose key (with the
    partner) is already stored replace the stored ones, which move to ``<dataset>_replaced``.
    """
    path, db = Path(path), Path(db)
    display = display or path.name
    result = LoadResult(display, dataset)
    try:
        digest = sha256_of(path)
    except OSError as e:
        result.refusal = f"{display}: cannot be opened ({e.strerror})"
        return result
    if db.exists():  # a byte-identical file is recognised before any work is done
        with store.connect(db, on_wait=on_wait) as con:
            earlier = _earlier_batch(con, dataset, digest)
        if earlier:
            _already_loaded(result, earlier)
            return result
    with _scratch() as con:
        checked, plan = _check(con, path, display, dataset, today)
        result.__dict__.update(checked.__dict__)
        if not checked.ok or plan is None:
            result.message = "refused: nothing was loaded"
            return result
        with store.lock(db, exclusive=True, on_wait=on_wait):
            store.attach(con, db)
            try:
                _store(con, plan, result, digest, loaded_by or _user())
            finally:
                con.execute("USE memory")
                con.execute("DETACH db")
    return result


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"


def _earlier_batch(con: duckdb.DuckDBPyConnection, dataset: str, digest: str) -> tuple | None:
    try:
        return con.execute("SELECT batch_id, loaded_at, file_name FROM batches WHERE dataset = $d AND sha256 = $s",
                           {"d": dataset, "s": digest}).fetchone()
    except duckdb.CatalogException:  # a database without tables yet
        return None


def _already_loaded(result: LoadResult, earlier: tuple) -> None:
    result.status, result.batch_id = "already_loaded", earlier[0]
    result.message = (f"already loaded as batch {earlier[0]} ({earlier[2]}) on {earlier[1]:%Y-%m-%d %H:%M}: "
                      "a byte-identical file; nothing changed")


def _store(con: duckdb.DuckDBPyConnection, plan: _Plan, result: LoadResult, digest: str, user: str) -> None:
    ds = plan.ds
    earlier = _earlier_batch(con, ds.name, digest)  # again: another load may have stored it meanwhile
    if earlier:
        _already_loaded(result, earlier)
        return
    target = ident(ds.name)
    names = list(ds.columns)
    country = f"left({plan.v('region')}, 2)"  # a valid region is in the partner's country (checked)
    con.execute("BEGIN TRANSACTION")
    try:
        batch = con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM batches").fetchone()[0]
        had_rows = con.execute(f"SELECT count(*) > 0 FROM {target}").fetchone()[0]
        con.execute(
            f"INSERT INTO {target} (batch_id, source_row, country, "
            f"{', '.join(ident(n) for n in names)}, {', '.join(ident('raw_' + n) for n in names)}) "
            f"SELECT {batch}, {plan.r}, {country}, {', '.join(plan.v(n) for n in names)}, "
            f"{', '.join(ident('raw_' + n) for n in names)} FROM parsed")
        replaced = 0
        if had_rows:
            same = " AND ".join(f"n.{ident(k)} IS NOT DISTINCT FROM o.{ident(k)}" for k in ds.full_key)
            old = (f"o.batch_id <> {batch} AND EXISTS "
                   f"(SELECT 1 FROM {target} n WHERE n.batch_id = {batch} AND {same})")
            replaced = con.execute(f"INSERT INTO {ident(ds.name + '_replaced')} "
                                   f"SELECT o.*, {batch} FROM {target} o WHERE {old}").fetchone()[0]
            con.execute(f"DELETE FROM {target} o WHERE {old}")
        con.execute("INSERT INTO batches VALUES ($b, $d, $f, $s, $r, $x, now()::TIMESTAMP, $u, $fmt, $w)",
                    {"b": batch, "d": ds.name, "f": result.file, "s": digest, "r": result.rows, "x": replaced,
                     "u": user, "fmt": result.description, "w": "\n".join(result.warnings) or None})
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    result.status, result.batch_id, result.replaced = "loaded", batch, replaced
    result.message = f"loaded {result.rows} row{'s' if result.rows != 1 else ''} as batch {batch}" + (
        f"; {replaced} stored rows with the same key were replaced (kept for audit)" if replaced else "")
