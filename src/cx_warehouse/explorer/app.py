"""The explorer's Streamlit app: `cxw explore --database <file>` runs it (streamlit run) with the warehouse
file in CXW_EXPLORER_DATABASE. Pick a mart, filter it by period, segment and touchpoint, see its rows and a
chart, download them as CSV; the second view lists the mart's column descriptions. Each run of the script
opens the file read-only and closes it, so a night can publish a new warehouse while the app is open (the
next interaction reads it)."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from cx_warehouse.explorer import DATABASE_VARIABLE, marts
from cx_warehouse.runtime.warehouse import connect, schema_tables

ANY = "(all)"
EXPLORE, DESCRIPTIONS = "Explore a mart", "Column descriptions"


def _database() -> Path:
    path = os.environ.get(DATABASE_VARIABLE)
    if not path or not Path(path).is_file():
        st.error(f"No warehouse file: set {DATABASE_VARIABLE} or run `cxw explore --database <file>`.")
        st.stop()
    return Path(path)


def _explore(connection, mart: str) -> None:
    filters = {}
    for column, values in marts.filter_options(connection, mart).items():
        choice = st.sidebar.selectbox(column, [ANY, *values], key=f"filter_{column}")
        filters[column] = None if choice == ANY else choice
    rows = marts.read_mart(connection, mart, filters)
    st.metric("Rows", len(rows))
    st.dataframe(rows, hide_index=True)
    measures = marts.numeric_columns(connection, mart)
    if measures and not rows.empty:
        measure = st.selectbox("Chart", measures, key="measure")
        axis = "period_start" if "period_start" in rows.columns else rows.columns[0]
        st.bar_chart(rows, x=axis, y=measure)
    st.download_button(
        "Download CSV", rows.to_csv(index=False).encode("utf-8"), f"{mart}.csv", "text/csv", key="download"
    )


def main() -> None:
    st.set_page_config(page_title="CX warehouse explorer", layout="wide")
    database = _database()
    with connect(database, read_only=True) as connection:
        view = st.sidebar.radio("View", [EXPLORE, DESCRIPTIONS], key="view")
        mart = st.sidebar.selectbox("Mart", schema_tables(connection), key="mart")
        st.title(mart)
        st.caption(marts.mart_description(connection, mart))
        if view == EXPLORE:
            _explore(connection, mart)
        else:
            st.dataframe(marts.column_descriptions(connection, mart), hide_index=True)


main()
