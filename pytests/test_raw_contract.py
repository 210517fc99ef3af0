"""The raw contract is declared once (the sources YAML); what is generated from it is up to date, and the
declaration is consistent: every reference names a table, every vocabulary a code uses has spellings in the
seed, every role and type is one the warehouse knows."""

from __future__ import annotations

import csv

from cx_warehouse.runtime.project import project_dir
from cx_warehouse.runtime.raw_contract import (
    CONTRACT_MACRO,
    contract_macro_text,
    raw_tables,
    readme_contract_section,
)


def test_the_dbt_macro_is_generated_from_the_yaml() -> None:
    committed = (project_dir() / CONTRACT_MACRO).read_text()
    assert committed == contract_macro_text(), (
        f"{CONTRACT_MACRO} is out of date: run python -m cx_warehouse.runtime.raw_contract --write-macro"
    )


def test_the_readme_tables_are_generated_from_the_yaml() -> None:
    readme = (project_dir() / "README.md").read_text()
    assert readme_contract_section() in readme, (
        "README.md's raw contract is out of date: "
        "run python -m cx_warehouse.runtime.raw_contract --write-readme"
    )


def test_every_reference_names_a_table_and_every_table_has_a_key() -> None:
    tables = raw_tables()
    assert len(tables) == 13
    for table in tables.values():
        assert table.key, f"{table.name} has no key column"
        for column in table.columns:
            assert column.references is None or column.references in tables, (table.name, column.name)
        for name in (table.dated_by, *table.version_by):
            assert name is None or table.column(name).role == "time", (table.name, name)


def test_every_code_vocabulary_has_spellings_in_the_seed() -> None:
    with (project_dir() / "seeds" / "label_synonyms.csv").open(newline="") as handle:
        vocabularies = {row["vocabulary"] for row in csv.DictReader(handle)}
    for table in raw_tables().values():
        for column in table.columns:
            if column.role == "code":
                assert column.vocabulary in vocabularies, (table.name, column.name, column.vocabulary)
