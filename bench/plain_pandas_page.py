"""The usual alternative, for the dashboard benchmark (issue 3): a plain Streamlit page done the naive way.

Run: SIREE_DB=bench/out/pages_1000000.duckdb streamlit run bench/plain_pandas_page.py

What a quick Streamlit script would do: read every school_attendance row from the DuckDB database into one
pandas DataFrame, cached with ``st.cache_data`` (so every rerun gets an unpickled copy of the whole frame),
then on every rerun filter it by the country / partner / period widgets and group it by month and country for
a line chart of children attending against each country's baseline (2017-03..2018-02), and the relative
change against that baseline — roughly the Education page's first chart. No siree_metrics code is used for
the figures; only the database path follows the dashboard's rule (``SIREE_DB`` or data/siree.duckdb).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

DB = Path(os.environ.get("SIREE_DB") or Path(__file__).resolve().parent.parent / "data" / "siree.duckdb")
BASELINE = (pd.Timestamp("2017-03-01"), pd.Timestamp("2018-02-01"))
COUNTRIES = ["BE", "FR", "NL", "UK"]

st.set_page_config(page_title="Plain pandas: children in school", layout="wide")


@st.cache_data
def load_rows(path: str) -> pd.DataFrame:
    con = duckdb.connect(path, read_only=True)
    try:
        df = con.execute("SELECT * FROM school_attendance").df()
    finally:
        con.close()
    df["month"] = pd.to_datetime(df["month"])
    return df


rows = load_rows(str(DB))

sb = st.sidebar
countries = sb.multiselect("Country", COUNTRIES, key="country")
partners = sb.multiselect("Partner", sorted(rows["partner_id"].unique()), key="partner")
first, last = rows["month"].min().date(), rows["month"].max().date()
period = sb.date_input("Period", (BASELINE[0].date(), last), min_value=first, max_value=last, key="period")
start, end = (period if isinstance(period, tuple) and len(period) == 2 else (first, last))

# Filter and group on every rerun.
selected = rows
if countries:
    selected = selected[selected["country"].isin(countries)]
if partners:
    selected = selected[selected["partner_id"].isin(partners)]
monthly = selected.groupby(["month", "country"], as_index=False)["children_attending"].sum()
base = (monthly[monthly["month"].between(*BASELINE)].groupby("country")["children_attending"].mean()
        .rename("baseline"))
monthly = monthly.merge(base, on="country", how="left")
monthly["change"] = monthly["children_attending"] / monthly["baseline"] - 1
shown = monthly[monthly["month"].between(pd.Timestamp(start.replace(day=1)), pd.Timestamp(end))]

st.title("Children in school (plain pandas)")
fig = go.Figure()
for country, g in shown.groupby("country"):
    fig.add_scatter(x=g["month"], y=g["children_attending"], mode="lines", name=country,
                    customdata=g[["change"]], hovertemplate="%{y:,.0f} (%{customdata[0]:+.0%})")
    if g["baseline"].notna().any():
        fig.add_scatter(x=g["month"], y=g["baseline"], mode="lines", line={"dash": "dash"},
                        name=f"{country} baseline")
        fig.add_scatter(x=g["month"], y=g["baseline"] * 1.2, mode="lines", line={"dash": "dot"},
                        name=f"{country} target (+20 %)")
st.plotly_chart(fig, width="stretch")

latest = shown.sort_values("month").groupby("country").tail(1)
cols = st.columns(max(1, len(latest)))
for col, (_, r) in zip(cols, latest.iterrows(), strict=False):
    col.metric(r["country"], f"{r['children_attending']:,.0f}",
               None if pd.isna(r["change"]) else f"{r['change']:+.1%} against the baseline")
st.caption(f"{len(selected):,} rows selected of {len(rows):,}; data as of {last.isoformat()}; "
           f"shown {start.isoformat()} to {end.isoformat()} (at {dt.datetime.now():%H:%M:%S})")
with st.expander("Data behind this chart"):
    st.dataframe(shown, hide_index=True)
