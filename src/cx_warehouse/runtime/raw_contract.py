"""The raw contract, declared once in the sources YAML (models/staging/*/_*__sources.yml): for each raw table
its columns in order, each with its type and its role. The loader, the staging casts, the checks, the
generator, the baselines and the README's column table all read it from there.

Roles (column `config.meta.role`):
- key: identifies the row (required); a key column may also reference a parent table.
- reference: the key of a row of another table (`references`); a missing parent keeps the row as an orphan,
  unless `missing_parent: quarantine` (an answer whose response or question is missing cannot be counted).
- label: a descriptive value in the user's own words (kept as written, never makes a row invalid);
  `vocabulary` names its list of known values and synonyms in seeds/label_synonyms.csv.
- code: a value the warehouse acts on (question metric, booleans, currency, churn reason, case outcome),
  matched through the same seed; an unknown code is quarantined (as `invalid_reason`, default
  invalid_category), or mapped to `unknown_code` where one is declared, or kept empty (`keep_unknown`) where
  no figure depends on it.
- measure: a number (integer, double, money).
- time: a timestamp or date; `not_after_as_of` quarantines one after the build's as-of day.
- text: free text (comments, names), kept as written; `pii` marks personal data, which the loader replaces
  with a keyed pseudonym (cx_warehouse.runtime.load.pseudonym).
`required: true` quarantines a row where the value is empty. Table `config.meta`: `dated_by` (the time column
that dates the row) and `version_by` (the time columns whose latest value says which copy of a key is the
newest).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from cx_warehouse.runtime.project import project_dir

RAW_FORMATS = ("csv", "parquet")
ROLES = ("key", "reference", "label", "code", "measure", "time", "text")
#: The value kind of each data_type of the contract: what a loader or a cast does with the text.
VALUE_KINDS = {
    "text": "text",
    "timestamp": "timestamp",
    "date": "date",
    "integer": "integer",
    "double": "number",
    "decimal(18,2)": "money",
    "boolean": "boolean",
}


@dataclass(frozen=True)
class RawColumn:
    """One column of a raw table as the contract declares it."""

    name: str
    data_type: str
    role: str
    description: str = ""
    required: bool = False
    references: str | None = None
    missing_parent: str = "orphan"
    vocabulary: str | None = None
    unknown_code: str | None = None
    keep_unknown: bool = False
    invalid_reason: str = "invalid_category"
    not_after_as_of: bool = False
    pii: bool = False

    @property
    def kind(self) -> str:
        """text, timestamp, date, integer, number, money or boolean."""
        return VALUE_KINDS[self.data_type]

    @property
    def quarantines_unknown_code(self) -> bool:
        """A code column whose spelling the seed does not know makes its row unusable: it has neither a
        fallback code (`unknown_code`) nor is it kept empty (`keep_unknown`)."""
        return self.role == "code" and self.unknown_code is None and not self.keep_unknown

    @property
    def is_required(self) -> bool:
        """Whether an empty value quarantines the row: declared required, or a key column."""
        return self.required or self.role == "key"


@dataclass(frozen=True)
class RawTable:
    """One raw table: its source (crm, survey, support, success), columns in contract order, and table
    meta."""

    name: str
    source: str
    description: str
    columns: tuple[RawColumn, ...]
    dated_by: str | None = None
    version_by: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, ...]:
        """The names of the key columns, in contract order."""
        return tuple(column.name for column in self.columns if column.role == "key")

    def column(self, name: str) -> RawColumn:
        """The column named `name`. Raises StopIteration when the table has none."""
        return next(column for column in self.columns if column.name == name)


def _column(entry: dict) -> RawColumn:
    meta = dict((entry.get("config") or {}).get("meta") or {})
    data_type = entry["data_type"].replace(" ", "")
    if data_type not in VALUE_KINDS:
        raise ValueError(
            f"raw column {entry['name']}: data_type {entry['data_type']} is not one of {list(VALUE_KINDS)}"
        )
    if meta.get("role") not in ROLES:
        raise ValueError(f"raw column {entry['name']}: meta role {meta.get('role')!r} is not one of {ROLES}")
    return RawColumn(
        name=entry["name"],
        data_type=data_type,
        description=" ".join(str(entry.get("description", "")).split()),
        **meta,
    )


@cache
def raw_tables() -> dict[str, RawTable]:
    """Raw table name -> its declaration, read from models/staging/*/_*__sources.yml, in file order."""
    tables: dict[str, RawTable] = {}
    for path in sorted(Path(project_dir(), "models", "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                meta = (table.get("config") or {}).get("meta") or {}
                tables[table["name"]] = RawTable(
                    name=table["name"],
                    source=source["name"],
                    description=" ".join(str(table.get("description", "")).split()),
                    columns=tuple(_column(column) for column in table["columns"]),
                    dated_by=meta.get("dated_by"),
                    version_by=tuple(meta.get("version_by", ())),
                )
    return tables


@cache
def raw_contract() -> dict[str, list[str]]:
    """Raw table name -> its column names in contract order."""
    return {name: [column.name for column in table.columns] for name, table in raw_tables().items()}


def raw_table_names() -> list[str]:
    """The raw table names in contract order."""
    return list(raw_contract())


def raw_file_columns(path: Path) -> list[str]:
    """The column names of one raw file: the CSV header or the Parquet schema."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return next(csv.reader(handle), [])


#: The dbt macro that carries the declaration into SQL. dbt's `graph` holds the sources YAML only while models
#: run (empty while it parses and in unit tests), so the macro is generated from the YAML and committed;
#: pytests/test_raw_contract.py fails when it is out of date. Regenerate with
#: `python -m cx_warehouse.runtime.raw_contract --write-macro`.
CONTRACT_MACRO = Path("macros", "raw_contract_declared.sql")


def _jinja_literal(value: object) -> str:
    """A Python value as a Jinja literal (dicts, lists, strings, booleans, None)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_jinja_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_jinja_literal(k)}: {_jinja_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no Jinja literal for {value!r}")


def contract_macro_text() -> str:
    """The text of CONTRACT_MACRO for the current sources YAML: one table per line, one column per line."""
    lines = [
        "{#- GENERATED from the raw contract in models/staging/*/_*__sources.yml by",
        "    `python -m cx_warehouse.runtime.raw_contract --write-macro`: edit the YAML, not this file",
        "    (pytests/test_raw_contract.py fails when they differ). Read through raw_table_contract(). -#}",
        "{% macro raw_contract_declared() -%}",
        "  {{ return({",
    ]
    for table in raw_tables().values():
        lines.append(f"      '{table.name}': {{")
        lines.append(f"        'source': {_jinja_literal(table.source)},")
        lines.append(f"        'dated_by': {_jinja_literal(table.dated_by)},")
        lines.append(f"        'version_by': {_jinja_literal(list(table.version_by))},")
        lines.append("        'columns': [")
        for column in table.columns:
            fields = {"name": column.name, "data_type": column.data_type, "role": column.role}
            declared = {
                "required": column.required,
                "references": column.references,
                "missing_parent": column.missing_parent,
                "vocabulary": column.vocabulary,
                "unknown_code": column.unknown_code,
                "keep_unknown": column.keep_unknown,
                "invalid_reason": column.invalid_reason,
                "not_after_as_of": column.not_after_as_of,
                "pii": column.pii,
            }
            defaults = RawColumn(column.name, column.data_type, column.role)
            fields.update({key: value for key, value in declared.items() if value != getattr(defaults, key)})
            lines.append(f"          {_jinja_literal(fields)},")
        lines.append("        ],")
        lines.append("      },")
    lines += ["  }) }}", "{%- endmacro %}", ""]
    return "\n".join(lines)


README_START = (
    "<!-- raw contract: generated by python -m cx_warehouse.runtime.raw_contract --write-readme -->"
)
README_END = "<!-- end of raw contract -->"
#: How the start marker begins, whatever command it names: the section is found by it, so that --write-readme
#: also replaces a marker that names an older command.
README_START_PREFIX = "<!-- raw contract:"
_TYPE_NAMES = {
    "text": "text",
    "timestamp": "timestamp",
    "date": "date",
    "integer": "whole number",
    "number": "number",
    "money": "amount",
    "boolean": "true/false",
}


def _handling(column: RawColumn) -> str:
    """What the warehouse does with the column's values, good and bad, in README words."""
    required = "; empty: row quarantined (missing_value)" if column.required and column.role != "key" else ""
    if column.role == "key":
        parent = ""
        if column.references:
            missing = "quarantined (unknown_reference)" if column.missing_parent == "quarantine" else "kept"
            parent = f"; also points at {column.references}: missing there, row {missing}"
        return f"key; empty: row quarantined (missing_key); copies: the newest kept{parent}"
    if column.role == "reference":
        missing = (
            "row quarantined (unknown_reference)"
            if column.missing_parent == "quarantine"
            else "row kept as an orphan, counted under unknown"
        )
        return f"points at {column.references}; a key missing there: {missing}{required}"
    if column.role == "label":
        vocabulary = f", synonyms in vocabulary `{column.vocabulary}`" if column.vocabulary else ""
        return f"label: any value kept as written{vocabulary}; empty: unknown"
    if column.role == "code":
        if column.unknown_code:
            unknown = f"counted as `{column.unknown_code}`"
        elif column.keep_unknown:
            unknown = "kept, as unknown (empty)"
        else:
            unknown = f"row quarantined ({column.invalid_reason})"
        return f"code, spellings in vocabulary `{column.vocabulary}`; an unknown one: {unknown}{required}"
    if column.role in ("measure", "time"):
        future = "; after the as-of day: row quarantined" if column.not_after_as_of else ""
        return f"unparseable: row quarantined (unparseable_value){future}{required}"
    if column.pii:
        return "personal data: replaced by the loader with a keyed pseudonym (HMAC-SHA256), never stored"
    return "free text, kept as written"


def readme_contract_section() -> str:
    """The README's column table of the raw contract, one table per raw table."""
    lines = [README_START, ""]
    for table in raw_tables().values():
        lines += [
            f"**{table.name}** ({table.source}): {table.description}",
            "",
            "| column | type | what it holds | how it is read |",
            "|---|---|---|---|",
        ]
        for column in table.columns:
            kind = _TYPE_NAMES[column.kind]
            lines.append(f"| `{column.name}` | {kind} | {column.description} | {_handling(column)} |")
        lines.append("")
    lines.append(README_END)
    return "\n".join(lines)


def readme_with_contract(readme: str) -> str:
    """The README text with its raw contract section (from the line starting README_START_PREFIX to
    README_END) replaced by the current one. Raises ValueError when the README has no such section."""
    start, end = readme.index(README_START_PREFIX), readme.index(README_END) + len(README_END)
    return readme[:start] + readme_contract_section() + readme[end:]


def main(argv: list[str] | None = None) -> int:
    """Regenerate what is generated from the sources YAML: the dbt macro and the README's column tables."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m cx_warehouse.runtime.raw_contract", description=main.__doc__
    )
    parser.add_argument("--write-macro", action="store_true", help=f"regenerate {CONTRACT_MACRO}")
    parser.add_argument("--write-readme", action="store_true", help="regenerate the README's column tables")
    args = parser.parse_args(argv)
    if args.write_macro:
        (project_dir() / CONTRACT_MACRO).write_text(contract_macro_text())
        print(f"wrote {CONTRACT_MACRO}")
    if args.write_readme:
        readme = project_dir() / "README.md"
        readme.write_text(readme_with_contract(readme.read_text()))
        print("wrote the raw contract's tables into README.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
