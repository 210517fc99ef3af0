"""What the explorer asks of a warehouse file, without Streamlit (the marts themselves are
runtime.warehouse.schema_tables): the values a mart can be filtered by, its filtered rows and its column
descriptions (the dbt descriptions persisted as DuckDB comments). Every function takes an open connection;
the app opens one read-only per run."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pandas as pd

from cx_warehouse.runtime.warehouse import BI_SCHEMA

#: The columns a mart can be filtered by, where it has them: the reporting period (grain and start day),
#: the segment (the dimension and its value) and the touchpoint.
FILTER_COLUMNS = ("period_grain", "period_start", "segment_dimension", "segment_value", "touchpoint")


def _columns(connection: duckdb.DuckDBPyConnection, mart: str) -> list[tuple[str, str, str | None]]:
    """(name, data type, comment) of each column of `mart`, in table order. Raises ValueError for a name
    that is not a mart, so no other name ever reaches a query."""
    rows = connection.execute(
        "select column_name, data_type, comment from duckdb_columns()"
        " where schema_name = ? and table_name = ? order by column_index",
        [BI_SCHEMA, mart],
    ).fetchall()
    if not rows:
        raise ValueError(f"{mart!r} is not a table of schema {BI_SCHEMA}")
    return rows


def filter_options(connection: duckdb.DuckDBPyConnection, mart: str) -> dict[str, list]:
    """For each filter column `mart` has (FILTER_COLUMNS), its distinct values, sorted (empty values
    left out)."""
    present = [name for name, _, _ in _columns(connection, mart) if name in FILTER_COLUMNS]
    return {
        name: [
            value
            for (value,) in connection.execute(
                f'select distinct "{name}" from "{BI_SCHEMA}"."{mart}" where "{name}" is not null order by 1'
            ).fetchall()
        ]
        for name in present
    }


def _where(connection: duckdb.DuckDBPyConnection, mart: str, filters: Mapping[str, object]):
    """The where clause and its parameters for `filters` (column -> value; None means any value)."""
    allowed = {name for name, _, _ in _columns(connection, mart)} & set(FILTER_COLUMNS)
    unknown = set(filters) - allowed
    if unknown:
        raise ValueError(f"{mart} cannot be filtered by {', '.join(sorted(unknown))}")
    chosen = {name: value for name, value in filters.items() if value is not None}
    clause = " and ".join(f'"{name}" = ?' for name in chosen)
    return (f" where {clause}" if clause else ""), list(chosen.values())


def read_mart(
    connection: duckdb.DuckDBPyConnection, mart: str, filters: Mapping[str, object] | None = None
) -> pd.DataFrame:
    """The rows of `mart` that match `filters` (column -> value, None for any), in the mart's column order."""
    where, parameters = _where(connection, mart, filters or {})
    return connection.execute(f'select * from "{BI_SCHEMA}"."{mart}"{where}', parameters).df()


def numeric_columns(connection: duckdb.DuckDBPyConnection, mart: str) -> list[str]:
    """The columns of `mart` a chart can plot: its numbers."""
    numeric = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL")
    return [name for name, data_type, _ in _columns(connection, mart) if data_type.split("(")[0] in numeric]


def column_descriptions(connection: duckdb.DuckDBPyConnection, mart: str) -> pd.DataFrame:
    """Each column of `mart` with its data type and description (its DuckDB comment)."""
    return pd.DataFrame(_columns(connection, mart), columns=["column", "data type", "description"])


def mart_description(connection: duckdb.DuckDBPyConnection, mart: str) -> str:
    """The mart's own description (its table comment), empty when it has none."""
    row = connection.execute(
        "select comment from duckdb_tables() where schema_name = ? and table_name = ?", [BI_SCHEMA, mart]
    ).fetchone()
    return (row[0] or "") if row else ""
