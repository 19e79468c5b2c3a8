"""What happened when: spending over time against the budget, the files loaded, and which quarters partners
have sent.

Query functions for the Budget and Data pages. Each takes a DuckDB connection and hashable parameters
(dates, ``Filters``) and returns a pandas DataFrame; the SQL is in ``sql/budget_*.sql`` and
``sql/history_*.sql``, values are bound, and table and column names come only from the contract through
``checks.ident``. Budgets come from the reference data: the programme's own under no filter, else the sum of
the (illustrative) budgets of the partners the filter covers; a region has no budget of its own.

Euro amounts are exact ``decimal.Decimal`` cents in every frame (DuckDB sums the DECIMAL(18,2) amounts,
Python adds Decimals): no float artefacts, and the same figures whatever DuckDB's thread count. Rows come
in an explicit order. Charts convert to float only when they hand the numbers to plotly.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pandas as pd

from siree_metrics.charts import style
from siree_metrics.i18n import language
from siree_metrics.ingest.checks import ident, lit
from siree_metrics.ingest.contract import load_contract
from siree_metrics.metrics import attainment as att
from siree_metrics.metrics.filters import FILTER_SQL, Filters
from siree_metrics.metrics.levels import month_end, outside_project, sql
from siree_metrics.metrics.summary import Budget, budget_of
from siree_metrics.reference import load_reference

ZERO = Decimal("0.00")
MONTH_COLUMNS = ["month", "spent_eur", "cumulative_eur", "n", "partners", "budget_eur", "expected_eur", "elapsed"]


def _params(as_of: dt.date, filters: Filters) -> dict:
    return {"as_of": as_of, **filters.params()}


def _exact(con: duckdb.DuckDBPyConnection, name: str, as_of: dt.date, filters: Filters) -> pd.DataFrame:
    """The rows of ``sql/<name>.sql`` as a frame whose DECIMAL columns hold Decimals (``.df()`` would turn
    them into floats)."""
    cursor = con.execute(sql(name).format(filters=FILTER_SQL), _params(as_of, filters))
    return pd.DataFrame(cursor.fetchall(), columns=[d[0] for d in cursor.description])


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, index = [], first.year * 12 + first.month - 1
    while index <= last.year * 12 + last.month - 1:
        out.append(dt.date(index // 12, index % 12 + 1, 1))
        index += 1
    return out


def budget_by_month(con: duckdb.DuckDBPyConnection, as_of: dt.date, filters: Filters) -> pd.DataFrame:
    """Spending by month up to ``as_of``: spent that month, cumulative spent, and the pace line.

    One row per month from the programme start (or the first payment, if earlier) to the as-of month, months
    without payments included (spent 0). ``expected_eur`` is budget × share of the programme's time elapsed
    at the month's end (or at ``as_of`` for its own month), to the cent; ``budget_eur`` is empty under a
    region filter or for an empty selection. No payments at all gives an empty frame. Amounts are Decimals.
    """
    ref = load_reference()
    prog = ref.programme
    rows = _exact(con, "budget_by_month", as_of, filters)
    if rows.empty:
        return pd.DataFrame(columns=MONTH_COLUMNS)
    rows["month"] = pd.to_datetime(rows["month"]).dt.date
    first = min(rows["month"].min(), prog.start.replace(day=1))
    months = pd.DataFrame({"month": _months(first, as_of)})
    out = months.merge(rows, on="month", how="left").fillna({"n": 0, "partners": 0})
    out["spent_eur"] = [ZERO if pd.isna(v) else v for v in out["spent_eur"]]
    out["n"] = out["n"].astype(int)
    out["partners"] = out["partners"].astype(int)
    out["cumulative_eur"] = list(itertools.accumulate(out["spent_eur"]))
    budget, _, _ = budget_of(filters, ref)
    ends = [min(month_end(m), as_of) for m in out["month"]]
    out["elapsed"] = [att.expected(d, prog.start, prog.end) for d in ends]
    out["budget_eur"] = [budget] * len(out)
    out["expected_eur"] = [None if budget is None else att.planned_spend(budget, d, prog.start, prog.end)
                           for d in ends]
    return out[MONTH_COLUMNS]


def budget_by_partner(con: duckdb.DuckDBPyConnection, as_of: dt.date, filters: Filters) -> pd.DataFrame:
    """Spent by each partner up to ``as_of`` against its budget, with one column of spending per cost category.

    Lists every partner the filter covers (spent 0 when it has no payments); under a region filter, the
    partners with payments in that region, with no budget. ``share_spent`` = spent / budget (a float: a
    ratio, not an amount); amounts are Decimals. Partners in the order of partners.csv.
    """
    ref = load_reference()
    categories = list(load_contract()["expenditure"].columns["cost_category"].values)
    rows = _exact(con, "budget_by_partner", as_of, filters)
    covered = None if filters.is_empty(ref) else filters.partner_ids(ref)
    ids = covered if covered is not None else sorted(set(rows["partner_id"]), key=list(ref.partners).index)
    out = []
    for pid in ids:
        mine = rows[rows["partner_id"] == pid]
        partner = ref.partners[pid]
        spent = sum(mine["spent_eur"], ZERO)
        budget, erdf, _ = budget_of(Filters(partners=(pid,)), ref) if covered is not None else (None, None, False)
        record = {
            "partner_id": pid, "partner": partner.name, "country": partner.country,
            "budget_eur": budget, "spent_eur": spent,
            "share_spent": float(spent / budget) if budget else None,
            "erdf_eur": erdf,
            "n": int(mine["n"].sum()),
            "last_paid_on": mine["last_paid_on"].max() if len(mine) else None,
        }
        for cat in categories:
            record[cat] = sum(mine.loc[mine["cost_category"] == cat, "spent_eur"], ZERO)
        out.append(record)
    frame = pd.DataFrame(out, columns=["partner_id", "partner", "country", "budget_eur", "spent_eur", "share_spent",
                                       "erdf_eur", "n", "last_paid_on", *categories])
    frame["budget_illustrative"] = True  # per-partner budgets are not published
    return frame


def budget_by_category(con: duckdb.DuckDBPyConnection, as_of: dt.date, filters: Filters) -> pd.DataFrame:
    """Spent per cost category up to ``as_of``, every category of the contract listed in the contract's order
    (0 without payments); ``spent_eur`` a Decimal, ``share`` of the total a float (None when the total is 0)."""
    categories = list(load_contract()["expenditure"].columns["cost_category"].values)
    rows = _exact(con, "budget_by_category", as_of, filters)
    out = pd.DataFrame({"cost_category": categories}).merge(rows, on="cost_category", how="left")
    out = out.fillna({"n": 0, "partners": 0}).astype({"n": int, "partners": int})
    out["spent_eur"] = [ZERO if pd.isna(v) else v for v in out["spent_eur"]]
    total = sum(out["spent_eur"], ZERO)
    out["share"] = [float(v / total) if total else None for v in out["spent_eur"]]
    return out


def erdf_share(total: Decimal | float | None, erdf: Decimal | float | None) -> float | None:
    """The ERDF part as a share of the budget (1,050,000 of 4,880,802 -> 0.2151...); None without a budget
    (a region, an empty selection) or with a budget of 0."""
    if total is None or erdf is None or not total:
        return None
    return float(Decimal(str(erdf)) / Decimal(str(total)))


def erdf_spent(budget: Budget) -> Decimal | None:
    """The ERDF part of the spending so far: spent x ERDF / budget, rounded half up to the cent (as
    ``budget_of`` splits the ERDF); None without a budget of its own or an ERDF part."""
    if not budget.total_eur or budget.erdf_eur is None:
        return None
    return (budget.spent_eur * budget.erdf_eur / budget.total_eur).quantize(att.CENT, rounding=ROUND_HALF_UP)


def has_budget(budget: Budget) -> bool:
    """The selection has a budget of its own to compare with (not a region, not an empty selection)."""
    return bool(budget.total_eur) and budget.erdf_eur is not None and budget.share_spent is not None


def paying_partners(partners: pd.DataFrame) -> tuple[int, int]:
    """(partners with at least one payment, partners listed) of a ``budget_by_partner`` frame."""
    return int((partners["n"] > 0).sum()), len(partners)


def loaded_files(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every loaded file (batch), newest first: who, when, which dataset and file, rows, replaced rows."""
    return con.execute(sql("history_loaded_files")).df()


def outside_project_period(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Records dated after the project end, per dataset and partner (rows, first and last date): stored, but
    outside every result, since results stop at the project end. Empty when there are none."""
    rows = outside_project(con, load_reference().programme.end)
    return pd.DataFrame(rows, columns=["dataset", "partner_id", "rows", "first", "last"])


def quarter_label(day: dt.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def _quarters(first: dt.date, last: dt.date) -> list[dt.date]:
    return [m for m in _months(first, last) if m.month in (1, 4, 7, 10)]


def completeness(con: duckdb.DuckDBPyConnection, start: dt.date, as_of: dt.date, filters: Filters) -> pd.DataFrame:
    """Which partner sent which dataset for which quarter: one row per partner × dataset × quarter.

    Quarters run from the one holding ``start`` to the one holding ``as_of``. ``status`` is ``submitted``
    when the partner's stored rows include one dated in that quarter (up to ``as_of``); ``missing`` when not;
    ``not_sent`` for a dataset the partner has sent no rows of in the whole span (it may not run that
    activity). Partners are those of the filter's countries (and the regions' countries) and partners; a region
    filter also limits the rows to that region.
    """
    ref = load_reference()
    contract = load_contract()
    unions = " union all ".join(
        f"select {lit(ds.name)} as dataset, partner_id, country, region, cast({ident(ds.date)} as date) as d "
        f"from {ident(ds.name)}"
        for ds in contract.values())
    first = dt.date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    rows = con.execute(sql("history_completeness").format(unions=unions, filters=FILTER_SQL),
                       {"from": first, "to": as_of, **filters.params()}).df()
    rows["quarter_start"] = pd.to_datetime(rows["quarter_start"]).dt.date
    region_countries = {ref.regions[r].country for r in filters.regions if r in ref.regions}
    partners = [p.id for p in ref.partners.values()
                if (not filters.countries or p.country in filters.countries)
                and (not region_countries or p.country in region_countries)
                and (not filters.partners or p.id in filters.partners)]
    grid = pd.MultiIndex.from_product([partners, list(contract), _quarters(first, as_of)],
                                      names=["partner_id", "dataset", "quarter_start"]).to_frame(index=False)
    out = grid.merge(rows, on=["partner_id", "dataset", "quarter_start"], how="left").fillna({"n": 0})
    out["n"] = out["n"].astype(int)
    sent = out.groupby(["partner_id", "dataset"])["n"].transform("sum") > 0
    out["status"] = "missing"
    out.loc[out["n"] > 0, "status"] = "submitted"
    out.loc[~sent, "status"] = "not_sent"
    out["quarter"] = [quarter_label(q) for q in out["quarter_start"]]
    out["partner"] = [ref.partners[p].name for p in out["partner_id"]]
    out["dataset_label"] = [contract[d].label for d in out["dataset"]]
    return out[["partner_id", "partner", "dataset", "dataset_label", "quarter", "quarter_start", "n", "status"]]


def submission_counts(grid: pd.DataFrame, quarter: str | None = None) -> tuple[int, int]:
    """(submitted, expected) cells of a ``submission_grid`` or ``submission_overview`` frame: the cells of a
    partner that sends the dataset at all (``not_sent`` cells are left out), and of those the ones
    submitted. With ``quarter`` (such as "2019 Q4"), only that quarter's cells of a ``submission_grid``."""
    sending = grid[grid["status"] != "not_sent"]
    if quarter is not None:
        sending = sending[sending["quarter"] == quarter]
    return int((sending["status"] == "submitted").sum()), len(sending)


def _english(text: str, **values: object) -> str:
    return text.format(**values) if values else text


def submission_grid(cells: pd.DataFrame, dataset: str, text: Callable[..., str] = _english) -> pd.DataFrame:
    """Partner × quarter cells of one dataset of ``completeness``; ``detail`` gives the rows in words."""
    mine = cells[cells["dataset"] == dataset].copy()
    mine["mark"] = None
    mine["detail"] = [text("{n} rows", n=style.count(n, language())) for n in mine["n"]]
    return mine[["partner_id", "partner", "quarter", "status", "mark", "detail", "n"]].reset_index(drop=True)


def submission_overview(cells: pd.DataFrame, text: Callable[..., str] = _english) -> pd.DataFrame:
    """Partner × dataset cells of ``completeness``: quarters with rows, and the status of the latest quarter.

    ``mark`` is "quarters with rows / quarters" (for example "18/20"); ``status`` is the latest quarter's
    (``submitted`` or ``missing``), or ``not_sent`` for a dataset the partner has sent nothing of.
    """
    columns = ["partner_id", "partner", "dataset", "dataset_label", "status", "mark", "detail", "n"]
    if cells.empty:
        return pd.DataFrame(columns=columns)
    latest = cells["quarter_start"].max()
    records = []
    for (pid, partner, dataset, label), group in cells.groupby(
            ["partner_id", "partner", "dataset", "dataset_label"], sort=False):
        done = int((group["status"] == "submitted").sum())
        last = group.loc[group["quarter_start"] == latest, "status"].iloc[0]
        quarter = quarter_label(latest)
        detail = (text("nothing sent yet") if last == "not_sent" else
                  text("{k} of {n} quarters; {quarter}: {status}", k=done, n=len(group), quarter=quarter,
                       status=text("submitted") if last == "submitted" else text("missing")))
        records.append({"partner_id": pid, "partner": partner, "dataset": dataset, "dataset_label": text(label),
                        "status": last, "mark": None if last == "not_sent" else f"{done}/{len(group)}",
                        "detail": detail, "n": int(group["n"].sum())})
    return pd.DataFrame(records, columns=columns)
