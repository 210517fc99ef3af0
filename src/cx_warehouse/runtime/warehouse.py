"""Opening a built warehouse file: each layer lives in its own schema (macros/schemas.sql), and readers in
this package name relations without one, as BI users of the `marts` schema do."""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from cx_warehouse.runtime.project import project_dir

#: The schema BI tools are given: the marts, and no personal data.
BI_SCHEMA = "marts"


def layer_schemas() -> list[str]:
    """The schemas the project builds into on DuckDB, BI_SCHEMA first, then as dbt_project.yml lists the
    layers (its +schema configs of models and seeds)."""
    config = yaml.safe_load((project_dir() / "dbt_project.yml").read_text())
    found: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("+schema"), str):
                found.append(node["+schema"])
            for key, value in node.items():
                if not str(key).startswith("+"):
                    collect(value)

    collect(config.get("models"))
    collect(config.get("seeds"))
    collect(config.get("snapshots"))
    return list(dict.fromkeys([BI_SCHEMA, *found]))


def connect(database: Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file whose search path holds every layer's schema that exists in it,
    marts first, so `select ... from mart_churn` or `from dim_accounts` needs no schema. Raises
    duckdb.IOException when another process holds the file open for writing."""
    connection = duckdb.connect(str(database), read_only=read_only)
    existing = {row[0] for row in connection.execute("select schema_name from duckdb_schemas()").fetchall()}
    path = [schema for schema in layer_schemas() if schema in existing]
    if path:
        connection.execute(f"set search_path = '{','.join(path)}'")
    return connection


def schema_tables(connection: duckdb.DuckDBPyConnection, schema: str = BI_SCHEMA) -> list[str]:
    """The tables of `schema` (default the BI schema) in an open warehouse, by name; empty if it has none."""
    rows = connection.execute(
        "select table_name from duckdb_tables() where schema_name = ? order by table_name", [schema]
    ).fetchall()
    return [name for (name,) in rows]


def bi_row_counts(database: Path) -> dict[str, int]:
    """Rows of each table in the BI schema of the warehouse file (empty when it has none)."""
    with connect(database) as connection:
        return {
            name: connection.execute(f'select count(*) from "{BI_SCHEMA}"."{name}"').fetchone()[0]
            for name in schema_tables(connection)
        }


def project_relations(manifest: Path) -> set[tuple[str, str]]:
    """(schema, name) of every table and view the project builds, from a dbt manifest.json: its enabled
    models (ephemeral ones excepted), seeds and snapshots."""
    import json

    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    return {
        (node["schema"], node["alias"])
        for node in nodes
        if node["resource_type"] in ("model", "seed", "snapshot")
        and node["config"].get("enabled", True)
        and node["config"].get("materialized") != "ephemeral"
    }


def drop_stale_relations(database: Path, keep: set[tuple[str, str]]) -> list[str]:
    """Drop the tables and views of the warehouse file that the project no longer builds (a model renamed,
    removed or moved to another schema: its old copy would stay beside the new one, and BI users would read
    it), then the schemas left empty. Returns the dropped relations as schema.name."""
    dropped = []
    with duckdb.connect(str(database)) as connection:
        relations = connection.execute(
            "select schema_name, table_name, 'table' from duckdb_tables() where not temporary"
            " union all select schema_name, view_name, 'view' from duckdb_views() where not internal"
            " and not temporary"
        ).fetchall()
        for schema, name, kind in relations:
            if (schema, name) not in keep:
                connection.execute(f'drop {kind} if exists "{schema}"."{name}" cascade')
                dropped.append(f"{schema}.{name}")
        for (schema,) in connection.execute(
            "select schema_name from duckdb_schemas() where not internal and schema_name <> 'main'"
            " and schema_name not in (select schema_name from duckdb_tables()"
            " union select schema_name from duckdb_views())"
        ).fetchall():
            connection.execute(f'drop schema "{schema}"')
    return dropped
