"""The documentation BI users see: every mart's and mart column's YAML description persisted as its DuckDB
comment (+persist_docs), and the static dbt docs site a night writes beside the warehouse."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cx_warehouse.runtime.night import docs_site_path, write_docs_site
from cx_warehouse.runtime.project import BuildSettings, manifest_path
from cx_warehouse.runtime.warehouse import BI_SCHEMA, connect


@pytest.fixture(scope="module")
def docs_site(warehouse: BuildSettings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The docs site of the session's warehouse, as a night writes it; dbt leaves the project's manifest of
    this warehouse beside it (other tests' dbt runs may have written another)."""
    page = docs_site_path(tmp_path_factory.mktemp("docs") / "cx.duckdb")
    write_docs_site(warehouse, page)
    return page


def _mart_nodes() -> list[dict]:
    """The manifest's models in the BI schema, their descriptions rendered ({{ doc() }} blocks filled in)."""
    nodes = json.loads(manifest_path().read_text(encoding="utf-8"))["nodes"].values()
    return [node for node in nodes if node["resource_type"] == "model" and node["schema"] == BI_SCHEMA]


def test_every_mart_column_comment_is_its_yaml_description(warehouse: BuildSettings, docs_site: Path) -> None:
    marts = _mart_nodes()
    assert len(marts) > 20
    with connect(warehouse.database) as connection:
        tables = dict(
            connection.execute(
                "select table_name, comment from duckdb_tables() where schema_name = ?", [BI_SCHEMA]
            ).fetchall()
        )
        columns = {
            (table, column): comment
            for table, column, comment in connection.execute(
                "select table_name, column_name, comment from duckdb_columns() where schema_name = ?",
                [BI_SCHEMA],
            ).fetchall()
        }
    differing = [node["name"] for node in marts if tables.get(node["alias"]) != node["description"]]
    differing += [
        f"{node['name']}.{name}"
        for node in marts
        for name, column in node["columns"].items()
        if columns.get((node["alias"], name)) != column["description"]
    ]
    assert differing == []
    # Every column of every mart is documented, so none is left without a comment.
    assert [key for key, comment in columns.items() if not comment] == []


def test_the_static_docs_site_is_one_offline_page_naming_the_marts(docs_site: Path) -> None:
    assert docs_site.name == "cx.duckdb.docs.html"
    html = docs_site.read_text(encoding="utf-8")
    assert "mart_nps_by_segment" in html
    # One file: no script or stylesheet is fetched from elsewhere.
    assert re.search(r"<(script|link)[^>]+(src|href)=\"https?:", html) is None
    assert not docs_site.with_name(docs_site.name + ".new").exists()
