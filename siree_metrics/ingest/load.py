"""Loading partner files: check every rule, and store the file whole — or refuse it whole.

Both ``check_file`` (the upload page's preview) and ``load_file`` first read the file's cells, as text and
in file order, into a private in-memory DuckDB (``read.stage``). ``check_file`` then parses every cell and
lists every problem with its row. ``load_file`` goes straight to storing: in one transaction it parses the
cells into the dataset's table, where a row that breaks any rule cannot be written (its country is NULL, a
column that may not be empty), so the whole file is undone; only then are the problems worked out, as
``check_file`` does. A good file is parsed once and written once, and readers of the database wait only
while it is (the file itself is read before the database is touched).
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from siree_metrics.charts import style
from siree_metrics.i18n import Said, kept, language, t
from siree_metrics.ingest import audit, read, scratch, store
from siree_metrics.ingest.checks import Rules, canonical, cleaned, decimal_use, ident, lit, sql_text
from siree_metrics.ingest.contract import Dataset, header_map, load_contract, normalise_header
from siree_metrics.ingest.problems import Problem, Refused, quote
from siree_metrics.reference import Reference, load_reference

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
            lines.append(f"{self.file}: " + t("... and {n} more problems (the first {listed} are listed)",
                                              n=self.problem_count - len(self.problems), listed=len(self.problems)))
        return lines


@dataclass
class LoadResult(Checked):
    # "loaded", "already_loaded", "retracted" (a byte-identical file was loaded and its batch retracted since:
    # nothing changed, and the message says how to bring the batch back) or "refused"
    status: str = "refused"
    batch_id: int | None = None
    replaced: int = 0
    message: str = ""


def _scratch() -> duckdb.DuckDBPyConnection:
    # DuckDB spills to this process's scratch folder, which the next start empties if a load is killed.
    con = duckdb.connect(":memory:", config={"memory_limit": store.MEMORY_LIMIT,
                                             "temp_directory": str(scratch.folder() / "duckdb")})
    return con


class _Plan:
    """The SQL for one staged file: each contract column's text as sent, typed value and problem.

    Its queries name their columns by what they hold, per contract column ``<col>``: ``sent_<col>`` the cell
    as sent; ``clean_value_<col>`` the value read at once as if the cell had its clean shape (Rules.fast);
    ``is_clean_<col>`` whether it has (then that value is the one); ``parsed_<col>`` the value read in every
    accepted form, not yet range-checked; ``value_<col>`` the typed value to store (NULL when the cell
    breaks a rule); ``kept_<col>`` the text to keep beside it (NULL where the value renders it);
    ``problem_<col>`` the message about the cell (NULL when it is fine)."""

    def __init__(self, ds: Dataset, ref: Reference, headers: list[str], today: dt.date,
                 decimal: dict[str, str] | None = None):
        self.ds, self.ref, self.headers = ds, ref, headers
        self.rules = Rules(ds, ref, today, decimal)
        names = header_map(ds)
        self.fast: dict[str, tuple[str, str]] = {}  # column -> (read, test) of its clean shape (Rules.fast)
        self.position: dict[str, int] = {}
        self.header_problems: list[tuple[str, str]] = []
        self.ignored: list[str] = []
        for i, header in enumerate(headers):
            name = names.get(normalise_header(header))
            if name is None:
                self.ignored.append(header)
            elif name in self.position:
                first = headers[self.position[name]]
                self.header_problems.append((name, t("two columns mean {column}: {first} and {second}; keep one",
                                                     column=name, first=quote(first), second=quote(header))))
            else:
                self.position[name] = i
        for name in ds.required:
            if name not in self.position:
                self.header_problems.append((name, t("required column is missing")))
        for name in self.position:
            if fast := self.rules.fast(ds.columns[name], self.sent(name), ident("clean_value_" + name)):
                self.fast[name] = fast

    def sent(self, name: str) -> str:
        """The cell as sent (in the values query); NULL for a column the file does not have."""
        return ident("sent_" + name) if name in self.position else "NULL"

    def clean_value(self, name: str) -> str:
        """The value read at once from the clean shape: its own column where reading costs something (a
        cast), else the reading itself (the text as sent)."""
        read = self.fast[name][0]
        return read if read == self.sent(name) else ident("clean_value_" + name)

    def is_clean(self, name: str) -> str:
        return ident("is_clean_" + name)

    def shown(self, name: str) -> str:
        """The cell as sent, from the parsed table (its kept text, or the value's own rendering)."""
        kept = ident("kept_" + name) if name in self.position else "NULL"
        return f"coalesce({kept}, {canonical(self.ds.columns[name], self.value(name))})"

    def _kept(self, name: str) -> str:
        """The text to keep: NULL where it is just the typed value's own rendering (checks.canonical),
        so a clean ten-million-row file is not stored twice; ``shown`` and export put it back. A cell
        sent empty (or not sent) that a default fills is kept as ''."""
        col = self.ds.columns[name]
        defaulted = col.default is not None or (name == "region" and name in self.ds.optional)
        if name not in self.position:
            return "''" if defaulted else "NULL"
        sent, cases = self.sent(name), ""
        if defaulted:
            cases += f" WHEN {sent} IS NULL THEN ''"
        if name in self.fast:
            cases += f" WHEN {self.is_clean(name)} AND {self.value(name)} IS NOT NULL THEN NULL"
        return f"(CASE{cases} WHEN {sent} IS DISTINCT FROM {canonical(col, self.value(name))} THEN {sent} END)"

    def value(self, name: str) -> str:
        """The typed value (in the values query)."""
        return ident("value_" + name)

    def _trimmed(self, name: str) -> str:
        """The cell without surrounding blanks (computed only where a rule needs it)."""
        return cleaned(self.sent(name)) if name in self.position else "NULL"

    def partner_country(self, partner: str) -> str:
        cases = " ".join(f"WHEN {lit(p.id)} THEN {lit(p.country)}" for p in self.ref.partners.values())
        return f"(CASE {partner} {cases} END)"

    def _value(self, name: str) -> str:
        """The typed value over the layer holding parsed_<col> (parsed, not yet range-checked)."""
        col = self.ds.columns[name]
        parsed = ident("parsed_" + name)
        if name == "region" and name in self.ds.optional:  # expenditure: the partner's home region by default
            homes = " ".join(f"WHEN {lit(p.id)} THEN {lit(p.home_region)}" for p in self.ref.partners.values())
            partner = ident("parsed_partner_id") if "partner_id" in self.position else "NULL"
            home = f"(CASE {partner} {homes} END)"
            if name not in self.position:
                return home
            return f"(CASE WHEN {self._trimmed(name)} IS NULL THEN {home} ELSE {parsed} END)"
        if name not in self.position:
            return f"CAST({lit(col.default)} AS {col.sql_type})" if col.default is not None else f"CAST(NULL AS {col.sql_type})"
        value = self.rules.valid(col, parsed)
        if col.default is not None:
            value = f"(CASE WHEN {self._trimmed(name)} IS NULL THEN CAST({lit(col.default)} AS {col.sql_type}) ELSE {value} END)"
        return value

    def _values(self) -> str:
        """SQL over ``{source}`` (_row and the cells c0..cN) giving per record: _row, sent_<col> (as sent) and
        value_<col> (typed). Built in layers so each cell is read once, at once where it has its clean shape:
        a cast of the clean shape is computed once and serves both the test and the value."""
        cells = ["_row", *(f"c{i} AS {ident('sent_' + name)}" for name, i in self.position.items())]
        reads = ", ".join(f"{read} AS {ident('clean_value_' + n)}" for n, (read, _) in self.fast.items()
                          if read != self.sent(n))
        tests = ", ".join(f"{test} AS {self.is_clean(n)}" for n, (_, test) in self.fast.items())
        parsed = ", ".join(f"{self._parse(n)} AS {ident('parsed_' + n)}" for n in self.position)
        values = ", ".join(f"{self._value(n)} AS {self.value(n)}" for n in self.ds.columns)
        layer = f"(SELECT {', '.join(cells)} FROM {{source}})"
        for extra in (reads, tests, parsed):
            if extra:
                layer = f"(SELECT *, {extra} FROM {layer})"
        return f"(SELECT *, {values} FROM {layer})"

    def _parse(self, name: str) -> str:
        """The cell's value, not yet range-checked: at once for the clean shape, else in every accepted form."""
        slow = self.rules.parse(self.ds.columns[name], self.sent(name))
        if name not in self.fast:
            return slow
        return f"(CASE WHEN {self.is_clean(name)} THEN {self.clean_value(name)} ELSE {slow} END)"

    def parsed(self) -> str:
        """The checking query: per record _row, kept_<col> (the text to keep), value_<col> (the typed values)
        and problem_<col>, the message about each cell (NULL when it is fine)."""
        problems = "".join(f", {p} AS {ident('problem_' + n)}" for n in self.ds.columns if (p := self.problem(n)))
        kept = ", ".join(["_row",
                          *(f"{self._kept(n)} AS {ident('kept_' + n)}" for n in self.ds.columns),
                          *(self.value(n) for n in self.ds.columns)])
        return f"SELECT {kept}{problems} FROM {self._values()}"

    def stored(self, batch: int) -> str:
        """The storing query: batch_id, source_row, country, the contract columns and raw, as the dataset's
        table has them (``store.create_schema``).

        ``country`` is NULL on a row with any problem, which the table's NOT NULL refuses: the statement
        fails and the transaction is undone. A cheap test passes the clean rows; only the others have
        their messages worked out, to be sure."""
        names = list(self.ds.columns)
        country = f"left({self.value('region')}, 2)"
        fine = self._fine()
        messages = [p for n in names if (p := self.problem(n))]
        exact = f"coalesce({', '.join(messages)}) IS NULL" if messages else "true"
        kept = {n: self._kept(n) for n in names}
        entries = ", ".join(f"{{'k': {lit(n)}, 'v': {sql}}}" for n, sql in kept.items() if sql != "NULL")
        raw = f"nullif(to_json(map_from_entries(list_filter([{entries}], lambda e: e.v IS NOT NULL))), '{{}}')"
        # The usual row is sent exactly as its values render: no raw text to keep, and a cheap test says so.
        if all(n in self.fast for n, sql in kept.items() if sql != "NULL"):
            raw = f"CASE WHEN {' AND '.join(self.is_clean(n) for n in self.fast)} THEN NULL ELSE {raw} END"
        return (f"SELECT {batch}, _row, "
                f"CASE WHEN {fine} THEN {country} WHEN {exact} THEN {country} END, "
                f"{', '.join(self.value(n) for n in names)}, {raw} FROM {self._values()}")

    def _fine(self) -> str:
        """SQL, true for a record with no problem for sure (false or NULL: look closer with the messages)."""
        tests = []
        for name in self.position:
            col = self.ds.columns[name]
            required = name in self.ds.required and col.default is None
            tests.append(f"{self.value(name)} IS NOT NULL" if required
                         else f"({self.value(name)} IS NOT NULL OR {self.sent(name)} IS NULL)")
        if "region" in self.ds.columns and "partner_id" in self.position:
            tests.append(f"left({self.value('region')}, 2) = {self.partner_country(self.value('partner_id'))}")
        tests += [f"coalesce({self.value(a)} <= {self.value(b)}, true)" for a, b in self.ds.checks
                  if a in self.position and b in self.position]
        return " AND ".join(tests) or "true"

    def problem(self, name: str) -> str | None:
        """SQL for the message about this column's cell (over the parsed query); NULL when it is fine."""
        if name not in self.position:
            return None
        col = self.ds.columns[name]
        required = name in self.ds.required and col.default is None
        messages = [self.rules.problem(col, self._trimmed(name), self.value(name), required)]
        if name == "region":
            region, partner = self.value("region"), self.value("partner_id")
            country = self.partner_country(partner)
            wrong = sql_text(t("is a region in {country}, but partner {partner} works in {home}"),
                             country=f"left({region}, 2)", partner=partner, home=country)
            messages.append(f"(CASE WHEN left({region}, 2) <> {country} THEN {wrong} END)")
        for a, b in self.ds.checks:
            if a == name and b in self.position:
                more = sql_text(t("is more than {column} ({value})"), column=lit(b), value=self.value(b))
                messages.append(f"(CASE WHEN {self.value(a)} > {self.value(b)} THEN {more} END)")
        return f"coalesce({', '.join(messages)})" if len(messages) > 1 else messages[0]


def _header_refusal(plan: _Plan, display: str) -> str | None:
    if plan.position:
        return None
    shown = ", ".join(plan.headers[:6]) + (", ..." if len(plan.headers) > 6 else "")
    return f"{display}: " + t("this is not a file of the {dataset} dataset: none of its columns ({shown}) is one "
                              "of that dataset's columns; the first row must hold {required} "
                              "(see the template data/templates/{dataset}.csv)",
                              dataset=plan.ds.name, shown=shown, required=", ".join(plan.ds.required))


def _row_problems(con: duckdb.DuckDBPyConnection, plan: _Plan, display: str) -> tuple[list[Problem], int]:
    """Every problem in the rows, in one scan for the cells and one for repeated keys."""
    order = list(plan.ds.columns)
    checked = [n for n in order if n in plan.position]
    parts = []
    if checked:
        structs = ", ".join(f"{{'o': {order.index(n)}, 'col': {lit(n)}, "
                            f"'value': replace({plan.shown(n)}, chr(0), '\\0'), "
                            f"'msg': {ident('problem_' + n)}}}" for n in checked)
        any_problem = " OR ".join(f"{ident('problem_' + n)} IS NOT NULL" for n in checked)
        parts.append(f"""
            SELECT r, s.o, s.col, s.value, s.msg FROM (
              SELECT _row AS r, unnest([{structs}]) AS s
              FROM parsed WHERE {any_problem})
            WHERE s.msg IS NOT NULL""")
    key = list(plan.ds.full_key)
    if all(k in plan.position for k in key if k in plan.ds.required):
        first_key = next(k for k in plan.ds.key if k in plan.position)
        keys = ", ".join(plan.value(k) for k in key)
        present = " AND ".join(f"{plan.value(k)} IS NOT NULL" for k in key if k in plan.ds.required)
        same = " AND ".join(f"k.{plan.value(k)} IS NOT DISTINCT FROM d.{plan.value(k)}" for k in key)
        ds = plan.ds
        message = sql_text(t("repeats row {row}: same {key} (one row is {what})"), row="d.first_r",
                           key=lit(", ".join(key)), what=lit(t(ds.row)))
        # Grouping ten million keys is costly; grouping their 64-bit hashes is not. Only the few rows whose
        # hash repeats are then compared by their real key.
        parts.append(f"""
            SELECT * FROM (
              WITH h AS (SELECT hash({keys}) AS h FROM parsed WHERE {present} GROUP BY 1 HAVING count(*) > 1),
                   k AS (SELECT _row AS r, {keys}, {plan.shown(first_key)} AS shown FROM parsed
                         WHERE {present} AND hash({keys}) IN (SELECT h FROM h)),
                   d AS (SELECT {keys}, min(r) AS first_r FROM k GROUP BY ALL HAVING count(*) > 1)
              SELECT k.r, {order.index(first_key)} AS o, {lit(first_key)} AS col, k.shown AS value,
                     {message} AS message
              FROM k JOIN d ON {same} WHERE k.r <> d.first_r)""")
    if not parts:
        return [], 0
    rows = con.execute(f"SELECT r, col, value, msg, count(*) OVER () FROM ({' UNION ALL '.join(parts)}) "
                       f"ORDER BY r, o LIMIT {MAX_LISTED}").fetchall()
    problems = [Problem(display, r, col, str(msg) if value is None else f"{quote(value)} {msg}")
                for r, col, value, msg, _ in rows]
    return problems, (rows[0][4] if rows else 0)


def _stage(con: duckdb.DuckDBPyConnection, path: Path, display: str, dataset: str, today: dt.date | None,
           facts: Callable[[], read.Facts] | None = None) -> tuple[Checked, _Plan | None, read.Table | None]:
    """Read the file's cells into the temp table ``cells`` and match its header to the dataset's columns.

    The Checked says what is wrong before any value is looked at (not a table, unknown dataset, missing
    columns, rows of the wrong width, no rows); its problems are then the only ones (see ``_explain``)."""
    contract = load_contract()
    checked = Checked(display, dataset)
    if dataset not in contract:
        checked.refusal = f"{display}: " + t("unknown dataset {dataset}; use one of {datasets}",
                                             dataset=repr(dataset), datasets=", ".join(contract))
        return checked, None, None
    try:
        table = read.stage(con, path, display, facts=facts)
    except Refused as e:
        checked.refusal = str(e)
        return checked, None, None
    plan = _Plan(contract[dataset], load_reference(), table.headers, today or dt.date.today())
    if not table.problems and (decimal := _decimal_use(con, plan, table)):
        plan = _Plan(contract[dataset], load_reference(), table.headers, today or dt.date.today(), decimal)
    checked.rows, checked.description = table.rows, table.description
    checked.refusal = _header_refusal(plan, display)
    checked.warnings = _ignored(display, dataset, [h for h in plan.ignored if h.strip()])
    checked.problems = [Problem(display, 1, name, message) for name, message in plan.header_problems]
    if table.problems:
        checked.problems += [*table.problems, Problem(display, None, None, t("the values were not checked: first "
                                                                             "correct the lines listed above"))]
    elif table.rows == 0 and not checked.refusal:
        checked.refusal = f"{display}: " + t("the file has no data rows, only a header")
    checked.problems = checked.problems[:MAX_LISTED]
    checked.problem_count = len(checked.problems)
    return checked, plan, table


IGNORED_NAMED = 10  # the ignored columns a warning names; a file of a thousand unknown columns gets one line


def _ignored(display: str, dataset: str, headers: list[str]) -> list[str]:
    """The warning (none, or one) about the file's columns that are not the dataset's, naming the first ones."""
    if not headers:
        return []
    if len(headers) == 1:
        return [Said(lambda lang: f"{display}: " + t("column {column} is not part of the {dataset} data and was "
                                                     "ignored", lang, column=quote(headers[0]), dataset=dataset))]
    named = ", ".join(quote(h) for h in headers[:IGNORED_NAMED])
    more = len(headers) - IGNORED_NAMED
    return [Said(lambda lang: f"{display}: " + (
        t("columns {columns} are not part of the {dataset} data and were ignored", lang, columns=named,
          dataset=dataset) if more <= 0 else
        t("columns {columns} and {n} more are not part of the {dataset} data and were ignored", lang,
          columns=named, n=style.count(more, lang), dataset=dataset)))]


def _decimal_use(con: duckdb.DuckDBPyConnection, plan: _Plan, table: read.Table) -> dict[str, str]:
    """Per number column of the file, the separators (',' and '.') some of its cells use as decimal marks
    (``checks.decimal_use``): there ``1,500`` is one and a half, not a thousand five hundred. One cheap scan
    says which columns hold a separator at all (none, in a file of whole numbers); only their cells holding
    it are then matched against the decimal shapes (0.17 s for 3 M rows of four number columns). A
    separator no cell can hold (``Table.unheld``: not in the file's bytes, or the delimiter of a file
    without quotes) is not looked for, so a comma-separated file of whole numbers needs no scan at all."""
    numbers = [(n, f"c{i}") for n, i in plan.position.items()
               if plan.ds.columns[n].type in ("count", "amount", "hours")]
    pairs = [(n, c, sep) for n, c in numbers for sep in ",." if sep not in table.unheld]
    if not pairs:
        return {}
    held = con.execute("SELECT " + ", ".join(f"coalesce(bool_or(contains({c}, {lit(sep)})), false)"
                                             for _, c, sep in pairs) + f" FROM {table.name}").fetchall()[0]
    marks: dict[str, str] = {}
    for (name, cell, sep), present in zip(pairs, held, strict=True):
        if present and con.execute(f"SELECT {decimal_use(cell, sep)} FROM {table.name} "
                                   f"WHERE contains({cell}, {lit(sep)})").fetchall()[0][0]:
            marks[name] = marks.get(name, "") + sep
    return marks


def _explain(con: duckdb.DuckDBPyConnection, checked: Checked, plan: _Plan, table: read.Table) -> None:
    """Parse every cell of a staged file and list every problem in its rows, and the first rows as sent."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE parsed AS {plan.parsed().replace('{source}', table.source)}")
    found, count = _row_problems(con, plan, checked.file)
    checked.problems = (checked.problems + found)[:MAX_LISTED]
    checked.problem_count += count
    cols = ", ".join(plan.shown(n) for n in plan.position)
    checked.preview = [dict(zip(plan.position, row, strict=True)) for row in
                       con.execute(f"SELECT {cols} FROM parsed ORDER BY _row LIMIT 20").fetchall()]


def _other_partners(con: duckdb.DuckDBPyConnection, checked: Checked, plan: _Plan | None,
                    table: read.Table | None, partners: tuple[str, ...] | None) -> bool:
    """Add to ``checked`` a problem for each row of a partner outside ``partners`` (the partners the account
    sending the file may send for; None: any partner), in row order among the others. Whether there was one.
    A file that is not a table, or has no partner_id column, is refused for that already."""
    if partners is None or plan is None or table is None or checked.refusal or table.problems \
            or "partner_id" not in plan.position:
        return False
    others = [p for p in plan.ref.partners if p not in partners]
    if not others:
        return False
    cell = f"c{plan.position['partner_id']}"
    partner = plan.rules.parse(plan.ds.columns["partner_id"], cell)  # 'uog ' is UOG too
    rows = con.execute(f"SELECT _row, {cell}, count(*) OVER () FROM {table.source} "
                       f"WHERE {partner} IN ({', '.join(lit(p) for p in others)}) "
                       f"ORDER BY _row LIMIT {MAX_LISTED}").fetchall()
    if not rows:
        return False
    own = t(" or ").join(t("{partner}'s", partner=p) for p in partners) or t("no partner's")
    found = [Problem(checked.file, r, "partner_id", t("{value} is another partner's; this account may send {own} "
                                                      "rows only", value=quote(sent), own=own)) for r, sent, _ in rows]
    checked.problems = sorted(checked.problems + found, key=lambda p: p.row or 0)[:MAX_LISTED]
    checked.problem_count += rows[0][2]
    return True


def check_file(path: Path, dataset: str, display: str | None = None, today: dt.date | None = None,
               partners: tuple[str, ...] | None = None) -> Checked:
    """Read and check ``path`` as ``dataset`` without storing anything: every problem, with its row.
    ``partners``: the partner ids the sender may send rows for (a partner account: its own); None: any."""
    with _scratch() as con:
        checked, plan, table = _stage(con, Path(path), display or Path(path).name, dataset, today)
        if plan is not None and table is not None and not checked.refusal and not table.problems:
            _explain(con, checked, plan, table)
        _other_partners(con, checked, plan, table, partners)
        return checked


def load_file(db: Path, dataset: str, path: Path, display: str | None = None, loaded_by: str | None = None,
              today: dt.date | None = None, on_wait: Callable[[], None] | None = None,
              partners: tuple[str, ...] | None = None) -> LoadResult:
    """Store ``path`` in ``db`` as one batch of ``dataset`` if it breaks no rule; else refuse it whole.

    ``partners``: the partner ids the sender may send rows for (a partner account: its own; None: any); a
    file holding another partner's rows is refused whole, naming those rows, before anything else is looked
    at. A byte-identical file already loaded for this dataset changes nothing. Rows whose key (with the
    partner) is already stored replace the stored ones, which move to ``<dataset>_replaced``.
    """
    path, db = Path(path), Path(db)
    display = display or path.name
    result = LoadResult(display, dataset)
    # The file's fingerprint is taken on another thread while DuckDB reads its cells.
    with ThreadPoolExecutor(max_workers=1) as pool, _scratch() as con:
        examined = pool.submit(read.examine, path)
        checked, plan, table = _stage(con, path, display, dataset, today, examined.result)
        foreign = _other_partners(con, checked, plan, table, partners)
        try:
            digest = examined.result().sha256
        except OSError as e:
            result.refusal = f"{display}: " + t("cannot be opened ({reason})", reason=e.strerror)
            return result
        if db.exists() and not foreign:  # a byte-identical file is recognised before anything is checked
            with store.connect(db, on_wait=on_wait) as reader:
                earlier = _earlier_batch(reader, dataset, digest)
            if earlier:
                _already_loaded(result, earlier)
                return result
        result.__dict__.update(checked.__dict__)
        if plan is None or table is None or not checked.ok:
            result.message = t("refused: nothing was loaded")
            return result
        if _store(con, db, plan, table, result, digest, loaded_by or _user(), on_wait):
            return result
        _explain(con, result, plan, table)  # nothing was stored: say where and why
    if result.ok:  # the store refused a row the checks accept: a fault of ours, not of the file
        raise RuntimeError(f"{display} passed every check but could not be stored; nothing was loaded")
    result.message = t("refused: nothing was loaded")
    return result


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"


def _earlier_batch(con: duckdb.DuckDBPyConnection, dataset: str, digest: str) -> tuple | None:
    """(batch, loaded at, file name, its last logged act or None: ``audit.last_act``) of the byte-identical file
    loaded before for ``dataset``; None when there is none."""
    try:
        found = con.execute("SELECT batch_id, loaded_at, file_name FROM batches WHERE dataset = $d AND sha256 = $s",
                            {"d": dataset, "s": digest}).fetchone()
        return None if found is None else (*found, audit.last_act(con, found[0]))
    except duckdb.CatalogException:  # a database without tables yet
        return None


def _already_loaded(result: LoadResult, earlier: tuple) -> None:
    batch, loaded_at, file, act = earlier
    result.status, result.batch_id = "already_loaded", batch
    result.message = t("already loaded as batch {batch} ({file}) on {moment}: a byte-identical file; nothing changed",
                       batch=batch, file=file, moment=style.moment(loaded_at, language()))
    if act is not None and act[0] == audit.RETRACTED:  # its rows do not count: say how they can count again
        _, retracted_at, reason = act
        result.status = "retracted"
        result.message = t("loaded before as batch {batch} ({file}) on {moment} and retracted on {retracted} "
                           "({reason}); nothing changed: a byte-identical file is not stored twice. To count its "
                           "rows again, an admin restores batch {batch} (Data page, 'Corrections and history', "
                           "or python -m siree_metrics restore-batch --batch {batch})",
                           batch=batch, file=file, moment=style.moment(loaded_at, language()),
                           retracted=style.moment(retracted_at, language()), reason=reason)


def _store(con: duckdb.DuckDBPyConnection, db: Path, plan: _Plan, table: read.Table, result: LoadResult,
           digest: str, user: str, on_wait: Callable[[], None] | None) -> bool:
    """Parse the staged cells into the dataset's table as a new batch, in one transaction, under the
    database's exclusive lock. True when stored (or when another load stored the same file meanwhile);
    False when a row breaks a rule or a key repeats, and then nothing was stored."""
    ds = plan.ds
    columns = ", ".join(["batch_id", "source_row", "country", *(ident(n) for n in ds.columns), "raw"])
    with store.lock(db, exclusive=True, on_wait=on_wait):
        created = not db.exists()
        store.attach(con, db)
        stored = False
        try:
            earlier = _earlier_batch(con, ds.name, digest)  # again: another load may have stored it meanwhile
            if earlier:
                _already_loaded(result, earlier)
                return True
            con.execute("BEGIN TRANSACTION")
            try:
                batch = con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM batches").fetchall()[0][0]
                # Each row carries its row number, so the order rows land in does not matter, and DuckDB
                # writes them in parallel as they come (an order-keeping insert is written only at commit).
                con.execute("SET preserve_insertion_order = false")
                con.execute(f"INSERT INTO {ident(ds.name)} ({columns}) "
                            f"{plan.stored(batch).replace('{source}', table.source)}")
                if _repeats_a_key(con, ds, batch, table.rows):
                    con.execute("ROLLBACK")
                    return False
                replaced = _replace(con, ds, batch)
                con.execute("INSERT INTO batches VALUES ($b, $d, $f, $s, $r, $x, now()::TIMESTAMP, $u, $fmt, $w)",
                            {"b": batch, "d": ds.name, "f": result.file, "s": digest, "r": result.rows,
                             "x": replaced, "u": user, "fmt": kept([result.description]),
                             "w": kept(result.warnings)})
                con.execute("COMMIT")
                stored = True
            except duckdb.ConstraintException:  # a row with a problem: no country
                con.execute("ROLLBACK")
                return False
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.execute("USE memory")
            try:
                con.execute("DETACH db")
            except duckdb.IOException as e:
                if not stored:
                    raise
                # Committed: the batch is in the database's write-ahead log, which every later open reads;
                # only folding the log into the file failed (a full disk, measured in tests/test_reliability.py).
                error = str(e).splitlines()[0]
                result.warnings.append(Said(lambda lang: t(
                    "the batch is stored, but the database could not be tidied afterwards ({error}); the disk may "
                    "be full: free some space before the next load", lang, error=error)))
            if created and not stored:  # a refused file leaves no database behind
                for leftover in (db, Path(f"{db}.wal")):
                    leftover.unlink(missing_ok=True)
    result.status, result.batch_id, result.replaced = "loaded", batch, replaced
    result.message = t("loaded {rows} row as batch {batch}" if result.rows == 1 else "loaded {rows} rows as batch {batch}",
                       rows=result.rows, batch=batch) + (
        t("; {n} stored rows with the same key were replaced (kept for audit)", n=replaced) if replaced else "")
    return True


def _repeats_a_key(con: duckdb.DuckDBPyConnection, ds: Dataset, batch: int, rows: int) -> bool:
    """Whether two of the batch's ``rows`` have the same key. The keys' 64-bit hashes are sorted and each
    compared with the one before it: for ten million rows 1.5 s of processor time, against 2.2 to 2.8 s for
    counting the distinct hashes in a hash table (DuckDB 2.0.1). Only when two rows share a hash are the
    keys themselves counted."""
    keys = ", ".join(ident(k) for k in ds.full_key)
    batch_rows = f"FROM {ident(ds.name)} WHERE batch_id = {batch}"
    shared = con.execute(f"SELECT count(*) FROM (SELECT h, lag(h) OVER (ORDER BY h) AS before FROM "
                         f"(SELECT hash({keys}) AS h {batch_rows})) WHERE h = before").fetchall()[0][0]
    if shared == 0:
        return False
    return con.execute(f"SELECT count(DISTINCT row({keys})) {batch_rows}").fetchall()[0][0] < rows


def _replace(con: duckdb.DuckDBPyConnection, ds: Dataset, batch: int) -> int:
    """Move the stored rows whose key the batch sends again to ``<dataset>_replaced``; how many moved."""
    target = ident(ds.name)
    if not con.execute(f"SELECT count(*) > 0 FROM {target} WHERE batch_id <> {batch}").fetchall()[0][0]:
        return 0
    same = " AND ".join(f"n.{ident(k)} IS NOT DISTINCT FROM o.{ident(k)}" for k in ds.full_key)
    old = f"o.batch_id <> {batch} AND EXISTS (SELECT 1 FROM {target} n WHERE n.batch_id = {batch} AND {same})"
    replaced = con.execute(f"INSERT INTO {ident(ds.name + '_replaced')} BY NAME "
                           f"SELECT o.*, {batch} AS replaced_by FROM {target} o WHERE {old}").fetchall()[0][0]
    con.execute(f"DELETE FROM {target} o WHERE {old}")
    return replaced
