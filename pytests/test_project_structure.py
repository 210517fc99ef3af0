"""The project's structure, read from dbt's own parse of it: data flows one way through the layers, only the
unions of every raw table have many parents, and no YAML file grows past what a reader takes in.

These are the rules docs/architecture.md describes; dbt-project-evaluator checks the same project with its
thresholds configured in dbt_project.yml, and these tests keep what that configuration allows narrow.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cx_warehouse.runtime.project import project_dir

# The layers in the order data flows through them: a model may read its own layer and those before it.
LAYERS = ("staging", "validation", "core", "preparation", "marts")
# The models that union one relation per raw table: the only ones allowed 7 or more parents.
UNIONS_OF_EVERY_RAW_TABLE = {"int_checked_rows", "int_label_spellings", "int_orphaned_references"}
# dbt-project-evaluator's default too_many_joins_threshold.
MANY_PARENTS = 7
MAX_YAML_LINES = 400


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory):
    from dbt.cli.main import dbtRunner

    root = project_dir()
    target = tmp_path_factory.mktemp("parse_target")
    result = dbtRunner().invoke(
        ["parse", "--project-dir", str(root), "--profiles-dir", str(root), "--target-path", str(target)]
    )
    assert result.success, result.exception
    return result.result


def _models(manifest) -> dict[str, object]:
    return {node.name: node for node in manifest.nodes.values() if node.resource_type == "model"}


def _layer(node) -> str:
    return Path(node.original_file_path).parts[1]


def test_every_model_sits_in_a_layer(manifest):
    outside = {name: _layer(node) for name, node in _models(manifest).items() if _layer(node) not in LAYERS}
    assert outside == {}


def test_no_model_reads_a_layer_after_its_own(manifest):
    models = _models(manifest)
    by_id = {node.unique_id: node for node in models.values()}
    backwards = []
    for name, node in models.items():
        for parent_id in node.depends_on.nodes:
            if parent_id.startswith("source."):
                if _layer(node) != "staging":
                    backwards.append((name, parent_id))
            elif parent_id in by_id and LAYERS.index(_layer(by_id[parent_id])) > LAYERS.index(_layer(node)):
                backwards.append((name, by_id[parent_id].name))
    assert backwards == []


def test_only_the_unions_of_every_raw_table_have_many_parents(manifest):
    many = {
        name for name, node in _models(manifest).items() if len(set(node.depends_on.nodes)) >= MANY_PARENTS
    }
    assert many == UNIONS_OF_EVERY_RAW_TABLE


def test_no_model_yaml_file_is_longer_than_a_reader_takes_in():
    long_files = {
        str(path.relative_to(project_dir())): lines
        for path in (project_dir() / "models").rglob("*.yml")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_YAML_LINES
    }
    assert long_files == {}
