"""What Superset does with the warehouse (docs/bi-access.md): duckdb-engine's SQLAlchemy dialect, opened
read-only on the built file, lists the marts and queries them, and sees what DuckDB itself counts."""

from __future__ import annotations

import pytest

from cx_warehouse.runtime.project import BuildSettings
from cx_warehouse.runtime.warehouse import BI_SCHEMA, bi_row_counts

sqlalchemy = pytest.importorskip("sqlalchemy")
pytest.importorskip("duckdb_engine")


def test_sqlalchemy_reads_the_marts_read_only(warehouse: BuildSettings) -> None:
    engine = sqlalchemy.create_engine(f"duckdb:///{warehouse.database}", connect_args={"read_only": True})
    expected = bi_row_counts(warehouse.database)
    try:
        with engine.connect() as connection:
            assert sorted(sqlalchemy.inspect(connection).get_table_names(schema=BI_SCHEMA)) == sorted(
                expected
            )
            counted = {
                mart: connection.execute(
                    sqlalchemy.text(f'select count(*) from {BI_SCHEMA}."{mart}"')
                ).scalar()
                for mart in expected
            }
            with pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only"):
                connection.execute(sqlalchemy.text(f"create table {BI_SCHEMA}.scratch as select 1 as one"))
    finally:
        engine.dispose()
    assert counted == expected
