"""End to end: the generated raw files, built by real dbt runs into a real DuckDB file."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import GENERATED_DATA_VARS
from cx_warehouse.runtime.load import REPORT_NAME
from cx_warehouse.runtime.project import BuildSettings, load_raw, manifest_path, project_dir, run_dbt
from cx_warehouse.runtime.raw_contract import raw_contract, raw_tables
from cx_warehouse.runtime.warehouse import BI_SCHEMA, connect

MART_COLUMNS = {
    "mart_nps_by_segment": [
        "period_grain", "period_start", "segment_dimension", "segment_value",
        "responses", "promoters", "passives", "detractors", "nps", "nps_band",
    ],
    "mart_csat_by_touchpoint": [
        "period_grain", "period_start", "touchpoint", "responses", "satisfied", "csat", "mean_score_pct",
    ],
    "mart_ces_by_touchpoint": [
        "period_grain", "period_start", "touchpoint", "responses", "positive", "ces", "mean_score_pct",
    ],
    "mart_csi": ["period_grain", "period_start", "responses", "csi"],
    "mart_churn": [
        "period_grain", "period_start", "segment_dimension", "segment_value",
        "accounts_start", "new_accounts", "churned_accounts", "accounts_end", "logo_churn_rate", "crr",
        "arr_start", "arr_new", "arr_expansion", "arr_contraction", "arr_churned", "arr_end", "grr", "nrr",
    ],
    "mart_clv": ["account_id", "clv_eur"],
    "mart_account_health": [
        "account_id", "period_grain", "period_start", "respondents", "mean_score", "account_category",
        "decision_maker_category", "arr_eur", "days_since_last_answer",
    ],
    "mart_account_health_by_segment": [
        "period_grain", "period_start", "segment_dimension", "segment_value", "account_weighted_nps",
        "arr_weighted_nps", "arr_at_risk_eur", "revenue_coverage_pct",
    ],
}  # fmt: skip


def query(settings: BuildSettings, sql: str) -> pd.DataFrame:
    with connect(settings.database) as connection:
        return connection.execute(sql).df()


def test_marts_exist_with_the_issue_columns(warehouse: BuildSettings) -> None:
    for mart, expected in MART_COLUMNS.items():
        columns = list(query(warehouse, f"select * from {mart} limit 0").columns)
        missing = [column for column in expected if column not in columns]
        assert not missing, f"{mart} lacks {missing}"
        assert len(query(warehouse, f"select * from {mart}")) > 0, f"{mart} is empty"


def _manifest(raw_dir: Path, name: str) -> Counter:
    """The lines of one of the generator's manifests (_expected_<name>.csv), with multiplicity."""
    lines = pd.read_csv(raw_dir / f"_expected_{name}.csv", dtype=str, keep_default_na=False)
    assert len(lines) > 0
    return Counter(map(tuple, lines.to_numpy()))


def test_quarantine_holds_exactly_the_injected_bad_rows(warehouse: BuildSettings, raw_dir: Path) -> None:
    quarantined = query(
        warehouse, "select source_table, record_key, quarantine_reason from fct_quarantined_rows"
    )
    assert Counter(map(tuple, quarantined.to_numpy())) == _manifest(raw_dir, "quarantine")


def test_orphans_are_exactly_the_planted_ones(warehouse: BuildSettings, raw_dir: Path) -> None:
    orphaned = query(
        warehouse, "select source_table, record_key, reference_column, missing_key from fct_orphaned_rows"
    )
    assert Counter(map(tuple, orphaned.to_numpy())) == _manifest(raw_dir, "orphans")


def test_new_values_are_exactly_the_planted_ones(warehouse: BuildSettings, raw_dir: Path) -> None:
    """The spellings mart_label_values flags as new are the planted new labels and unknown codes; the known
    values written in other spellings (seed synonyms, other case or spacing) are not among them."""
    new_values = query(
        warehouse, "select source_table, source_column, spelling from mart_label_values where is_new_value"
    )
    assert Counter(map(tuple, new_values.to_numpy())) == _manifest(raw_dir, "new_values")


def test_every_raw_row_is_valid_or_quarantined(warehouse: BuildSettings) -> None:
    """Every record the loader read (unreadable lines included) is valid or quarantined, exactly once."""
    reconciliation = query(warehouse, "select * from mart_raw_reconciliation").set_index("source_table")
    assert sorted(reconciliation.index) == sorted(raw_contract())
    loaded = json.loads((warehouse.landing_dir / REPORT_NAME).read_text())["tables"]
    for table in raw_contract():
        file_rows = loaded[table]["rows"]
        row = reconciliation.loc[table]
        assert row.raw_rows == file_rows, table
        assert row.valid_rows + row.quarantined_rows == file_rows, table


def _spelling_key(text: str) -> str:
    """Spellings that differ only in case or spacing are one value."""
    return re.sub(" +", " ", text).strip(" ").lower()


def _kept_rows(raw_dir: Path, table: str, key: list[str], quarantined: set[tuple[str, str]]) -> pd.DataFrame:
    """One raw CSV as the warehouse keeps it, by the rules: the lines that cannot be read (a field too
    many, bytes that are not UTF-8) and the rows with an empty key or listed as quarantined (but as a copy)
    left out; of the copies of a key, the last in the file kept."""
    rows = pd.read_csv(raw_dir / f"{table}.csv", dtype=str, encoding_errors="replace", on_bad_lines="skip")
    rows = rows[~rows.apply(lambda values: values.str.contains("\ufffd", na=False)).any(axis=1)]
    rows = rows.dropna(subset=key)
    listed = rows[key].agg("|".join, axis=1).map(lambda record_key: (table, record_key) in quarantined)
    return rows[~listed].drop_duplicates(key, keep="last")


def _nps_from_raw_files(raw_dir: Path) -> pd.DataFrame:
    """Quarterly NPS computed straight from the raw CSVs with pandas: an independent second computation of
    mart_nps_by_segment's 'all' rows. Under the warehouse's rules: quarantined rows (the manifest's, a double
    submission included) do not count, of conflicting copies the last in the file does, a response of a
    contact the CRM deleted (an orphan) counts, and a question's metric is read through label_synonyms."""
    bad = pd.read_csv(raw_dir / "_expected_quarantine.csv", dtype=str, keep_default_na=False)
    bad = bad[~bad.reason_code.isin(["duplicate_row", "conflicting_duplicate"])]
    quarantined = set(zip(bad.source_table, bad.record_key, strict=True))
    synonyms = pd.read_csv(project_dir() / "seeds" / "label_synonyms.csv", dtype=str)
    synonyms = synonyms[synonyms.vocabulary == "metric"]
    metrics = dict(zip(synonyms.spelling.map(_spelling_key), synonyms.display_value, strict=True))
    questions = _kept_rows(raw_dir, "survey_questions", ["question_id"], quarantined)
    nps_questions = questions[
        questions.metric.map(lambda metric: metrics.get(_spelling_key(metric))) == "nps"
    ]
    responses = _kept_rows(raw_dir, "survey_responses", ["response_id"], quarantined)
    answers = _kept_rows(raw_dir, "survey_answers", ["response_id", "question_id"], quarantined)
    nps = answers.merge(nps_questions[["question_id"]], on="question_id").merge(responses, on="response_id")
    nps["score"] = nps.score.astype(float)
    submitted = pd.to_datetime(nps.submitted_at, utc=True, format="ISO8601")
    nps["period_start"] = submitted.dt.tz_localize(None).dt.to_period("Q").dt.start_time.dt.date
    grouped = nps.groupby("period_start").score.agg(
        responses="size", promoters=lambda s: (s >= 9).sum(), detractors=lambda s: (s <= 6).sum()
    )
    grouped["nps"] = (grouped.promoters - grouped.detractors) * 100.0 / grouped.responses
    return grouped


def test_nps_agrees_with_an_independent_pandas_computation(warehouse: BuildSettings, raw_dir: Path) -> None:
    expected = _nps_from_raw_files(raw_dir)
    mart = query(
        warehouse,
        "select period_start, responses, promoters, detractors, nps from mart_nps_by_segment "
        "where period_grain = 'quarter' and segment_dimension = 'all' order by period_start",
    )
    mart["period_start"] = pd.to_datetime(mart.period_start).dt.date
    mart = mart.set_index("period_start")
    expected = expected.loc[expected.index.isin(mart.index)]
    assert len(mart) >= 4
    assert list(mart.index) == list(expected.index)
    assert list(mart.responses) == list(expected.responses)
    assert list(mart.promoters) == list(expected.promoters)
    assert mart.nps.to_numpy() == pytest.approx(expected.nps.to_numpy())


def test_segments_differ(warehouse: BuildSettings) -> None:
    """The demo data is only useful if segments really differ: a flat one would hide a broken roll-up."""
    by_industry = query(
        warehouse,
        "select segment_value, nps from mart_nps_by_segment "
        "where period_grain = 'year' and segment_dimension = 'industry' and responses >= 30",
    )
    assert by_industry.nps.max() - by_industry.nps.min() > 10


def test_parquet_raw_files_build_the_same_marts(
    warehouse: BuildSettings, parquet_raw_dir: Path, tmp_path: Path
) -> None:
    """The same data set written as Parquet gives the same survey and churn marts (a Parquet file has no
    unreadable lines, and the CSV's unreadable lines touch no survey or churn figure)."""
    settings = BuildSettings(
        parquet_raw_dir, tmp_path / "parquet.duckdb", "parquet", warehouse.as_of_date, GENERATED_DATA_VARS
    )
    load_raw(settings)
    run_dbt(["seed"], settings)
    run_dbt(
        ["run", "--select", "+mart_nps_by_segment", "+mart_churn", "+mart_csat_by_touchpoint", "+mart_csi"],
        settings,
    )
    for mart, order in (
        ("mart_nps_by_segment", "period_grain, period_start, segment_dimension, segment_value"),
        ("mart_churn", "period_grain, period_start, segment_dimension, segment_value"),
        ("mart_csat_by_touchpoint", "period_grain, period_start, touchpoint"),
        ("mart_csi", "period_grain, period_start"),
    ):
        parquet = query(settings, f"select * from {mart} order by {order}")
        csv = query(warehouse, f"select * from {mart} order by {order}")
        pd.testing.assert_frame_equal(parquet, csv, check_exact=False, rtol=1e-12)


# Columns holding the names of the company's own staff (account managers, case owners): the people BI users
# work with, not the customers' personal data the raw contract marks `pii` (also as was and as is, in the
# account history).
STAFF_NAME_COLUMNS = {"account_manager", "owner"}
EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"


def test_no_customer_name_or_email_reaches_the_warehouse(warehouse: BuildSettings, raw_dir: Path) -> None:
    """By tag: every column the raw contract marks `pii` holds pseudonyms (64 hex digits) wherever it is
    stored. By value: no text column of any table or view holds an e-mail address or a contact's name from
    the raw export."""
    personal = [column.name for table in raw_tables().values() for column in table.columns if column.pii]
    assert personal == ["full_name", "email"]
    with duckdb.connect() as connection:
        connection.execute(f"attach '{warehouse.database}' as warehouse (read_only)")
        raw_contacts = raw_dir / "contacts.csv"
        connection.execute(
            "create temp table raw_personal as select distinct trim(value) as value from ("
            " select unnest([full_name, email]) as value"
            f" from read_csv('{raw_contacts}', all_varchar = true, ignore_errors = true,"
            " strict_mode = false))"
            " where value is not null and length(trim(value)) > 3"
        )
        assert connection.execute("select count(*) from raw_personal").fetchone()[0] > 1000
        text_columns = connection.execute(
            "select schema_name, table_name, column_name from duckdb_columns()"
            " where database_name = 'warehouse' and data_type = 'VARCHAR'"
        ).fetchall()
        found = []
        for schema, table, column in text_columns:
            values = (
                f'select "{column}" as value from warehouse."{schema}"."{table}" where "{column}" is not null'
            )
            if column in personal:
                bad = connection.execute(
                    f"select count(*) from ({values}) where not regexp_matches(value, '^[0-9a-f]{{64}}$')"
                ).fetchone()[0]
            else:
                condition = f"regexp_matches(value, '{EMAIL}')"
                if column.removesuffix("_as_was").removesuffix("_as_is") not in STAFF_NAME_COLUMNS:
                    condition += " or trim(value) in (select value from raw_personal)"
                if (schema, table, "vocabulary") in text_columns:  # the label tables list staff names too
                    staff = ", ".join(f"'{name}'" for name in STAFF_NAME_COLUMNS)
                    values += f" and vocabulary not in ({staff})"
                bad = connection.execute(f"select count(*) from ({values}) where {condition}").fetchone()[0]
            if bad:
                found.append((table, column, bad))
    assert found == [], "\n".join(map(str, found))


def test_the_bi_schema_holds_the_marts_and_no_column_tagged_personal(warehouse: BuildSettings) -> None:
    """Each layer in its own schema; the BI schema holds the marts and nothing else, and no model there has a
    column that its YAML tags pii (the models that do are named, so the check cannot pass vacuously)."""
    nodes = json.loads(manifest_path().read_text(encoding="utf-8"))["nodes"].values()
    tagged = {
        (node["schema"], node["name"])
        for node in nodes
        if any("pii" in column.get("tags", []) for column in node.get("columns", {}).values())
    }
    assert ("core", "dim_contacts") in tagged and ("staging", "stg_crm__contacts") in tagged
    assert not {name for schema, name in tagged if schema == BI_SCHEMA}
    with connect(warehouse.database) as connection:
        relations = connection.execute(
            "select schema_name, table_name from duckdb_tables()"
            " union all select schema_name, view_name from duckdb_views() where not internal"
        ).fetchall()
    schemas = Counter(schema for schema, _ in relations)
    assert set(schemas) == {"staging", "intermediate", "core", "reference", "snapshots", BI_SCHEMA}
    in_bi = sorted(name for schema, name in relations if schema == BI_SCHEMA)
    assert in_bi and all(name.startswith("mart_") for name in in_bi), in_bi
