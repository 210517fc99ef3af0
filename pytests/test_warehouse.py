"""End to end: the generated raw files, built by real dbt runs into a real DuckDB file."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cx_warehouse.project import BuildSettings, run_dbt
from cx_warehouse.raw_contract import check_raw_dir, raw_contract

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
}  # fmt: skip


def query(settings: BuildSettings, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(settings.database), read_only=True) as connection:
        return connection.execute(sql).df()


def test_marts_exist_with_the_issue_columns(warehouse: BuildSettings) -> None:
    for mart, expected in MART_COLUMNS.items():
        columns = list(query(warehouse, f"select * from {mart} limit 0").columns)
        missing = [column for column in expected if column not in columns]
        assert not missing, f"{mart} lacks {missing}"
        assert len(query(warehouse, f"select * from {mart}")) > 0, f"{mart} is empty"


def test_quarantine_holds_exactly_the_injected_bad_rows(warehouse: BuildSettings, raw_dir: Path) -> None:
    expected = pd.read_csv(raw_dir / "_expected_quarantine.csv", dtype=str)
    assert len(expected) > 0
    quarantined = query(
        warehouse, "select source_table, record_key, quarantine_reason from fct_quarantined_rows"
    )
    assert Counter(map(tuple, quarantined.to_numpy())) == Counter(map(tuple, expected.to_numpy()))


def test_every_raw_row_is_valid_or_quarantined(warehouse: BuildSettings, raw_dir: Path) -> None:
    reconciliation = query(warehouse, "select * from mart_raw_reconciliation").set_index("source_table")
    assert sorted(reconciliation.index) == sorted(raw_contract())
    for table in raw_contract():
        file_rows = len(pd.read_csv(raw_dir / f"{table}.csv", dtype=str, keep_default_na=False))
        row = reconciliation.loc[table]
        assert row.raw_rows == file_rows, table
        assert row.valid_rows + row.quarantined_rows == file_rows, table


def _nps_from_raw_files(raw_dir: Path) -> pd.DataFrame:
    """Quarterly NPS computed straight from the raw CSVs with pandas, skipping the rows the generator made
    bad: an independent second computation of mart_nps_by_segment's 'all' rows."""
    bad = pd.read_csv(raw_dir / "_expected_quarantine.csv", dtype=str)
    # A duplicated key keeps one copy in the warehouse; drop_duplicates below does the same.
    bad = bad[bad.reason_code != "duplicate_key"]
    bad_answers = set(bad.loc[bad.source_table == "survey_answers", "record_key"])
    bad_responses = set(bad.loc[bad.source_table == "survey_responses", "record_key"])
    # Rows with an empty key are quarantined (missing_key); pandas would join them to each other on NaN.
    questions = pd.read_csv(raw_dir / "survey_questions.csv", dtype=str).dropna(subset=["question_id"])
    questions = questions.drop_duplicates()
    responses = pd.read_csv(raw_dir / "survey_responses.csv", dtype=str).dropna(subset=["response_id"])
    responses = responses.drop_duplicates("response_id")
    responses = responses[~responses.response_id.isin(bad_responses)]
    answers = pd.read_csv(raw_dir / "survey_answers.csv", dtype=str)
    answers = answers.dropna(subset=["response_id", "question_id"])
    answers = answers.drop_duplicates(["response_id", "question_id"])
    answers = answers[~(answers.response_id + "|" + answers.question_id).isin(bad_answers)]
    nps = answers.merge(questions[questions.metric == "nps"], on="question_id").merge(
        responses, on="response_id"
    )
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
    settings = BuildSettings(parquet_raw_dir, tmp_path / "parquet.duckdb", "parquet", warehouse.as_of_date)
    run_dbt(["seed"], settings)
    run_dbt(["run", "--select", "+mart_nps_by_segment", "+mart_churn"], settings)
    for mart in ("mart_nps_by_segment", "mart_churn"):
        order = "order by period_grain, period_start, segment_dimension, segment_value"
        pd.testing.assert_frame_equal(
            query(settings, f"select * from {mart} {order}"),
            query(warehouse, f"select * from {mart} {order}"),
        )


def test_a_missing_raw_file_stops_with_its_name(tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text("account_id\n")
    with pytest.raises(SystemExit, match="contacts.csv"):
        check_raw_dir(tmp_path, "csv")
    with pytest.raises(SystemExit, match="xlsx"):
        check_raw_dir(tmp_path, "xlsx")


@pytest.mark.parametrize("raw_format", ["csv", "parquet"])
def test_a_missing_column_stops_with_table_and_column(
    raw_format: str, raw_dir: Path, parquet_raw_dir: Path, tmp_path: Path
) -> None:
    source = raw_dir if raw_format == "csv" else parquet_raw_dir
    for table in raw_contract():
        shutil.copy(source / f"{table}.{raw_format}", tmp_path)
    check_raw_dir(tmp_path, raw_format)  # the generated files pass
    broken = tmp_path / f"survey_answers.{raw_format}"
    with duckdb.connect() as connection:
        reader = "read_csv_auto" if raw_format == "csv" else "read_parquet"
        connection.execute(
            f"copy (select * exclude (score) from {reader}('{source}/survey_answers.{raw_format}')) "
            f"to '{broken}' (format {raw_format})"
        )
    with pytest.raises(SystemExit, match=r"lacks the column\(s\) score of table survey_answers"):
        check_raw_dir(tmp_path, raw_format)
