"""BI tools' access to the warehouse file (docs/bi-access.md): it is written in the storage format of the
DuckDB 1.4 that BI tools embed, and duckdb-engine's SQLAlchemy dialect (Superset's route), opened read-only,
lists the marts and queries them, sees what DuckDB itself counts and cannot write."""

from __future__ import annotations

from pathlib import Path

import pytest

from cx_warehouse.runtime.project import BuildSettings
from cx_warehouse.runtime.publish import Night
from cx_warehouse.runtime.warehouse import BI_SCHEMA, bi_row_counts, connect

sqlalchemy = pytest.importorskip("sqlalchemy")
pytest.importorskip("duckdb_engine")

#: profiles.yml's storage_compatibility_version as DuckDB reports a file written in it.
BI_READABLE_STORAGE = "v1.4.0+"


def test_dbt_writes_the_warehouse_in_the_storage_format_bi_tools_read(warehouse: BuildSettings) -> None:
    with connect(warehouse.database) as connection:
        (tags,) = connection.execute(
            "select tags from duckdb_databases() where path = ?", [str(warehouse.database)]
        ).fetchone()
    assert tags["storage_version"] == BI_READABLE_STORAGE


def test_a_first_night_leaves_the_working_copy_for_dbt_to_create(tmp_path: Path) -> None:
    """Any file DuckDB 2.0 created first would be in its own storage format, and every later night copies
    the published file, so the profile's setting would never reach it."""
    night = Night(tmp_path / "cx.duckdb")
    night.prepare()
    assert not night.working.exists()


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
