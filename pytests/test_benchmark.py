"""The benchmark's baselines compute exactly the marts' figures, and its harness runs end to end.

Correctness only: no timing is asserted here (the speed figures live in benchmarks/results.json and
docs/benchmarks.md).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from cx_warehouse.benchmark import baseline_duckdb, baseline_pandas, compare, harness
from cx_warehouse.runtime.project import BuildSettings, project_dir
from cx_warehouse.runtime.raw_contract import raw_tables


@pytest.fixture(scope="module")
def duckdb_marts(warehouse: BuildSettings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("baseline_duckdb")
    baseline_duckdb.run_duckdb_baseline(warehouse.landing_dir, out, warehouse.as_of_date)
    return out


@pytest.fixture(scope="module")
def pandas_marts(warehouse: BuildSettings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("baseline_pandas")
    baseline_pandas.write_marts(
        baseline_pandas.compute_marts(warehouse.landing_dir, warehouse.as_of_date), out
    )
    return out


def _assert_equal_marts(report: dict) -> None:
    assert set(report) == set(compare.MART_KEYS)
    for mart, entry in report.items():
        assert entry["ok"], (mart, entry)
        assert entry["rows"] > 0, mart
        assert entry["rows"] == entry["baseline_rows"], mart


def test_duckdb_baseline_equals_the_marts(warehouse: BuildSettings, duckdb_marts: Path) -> None:
    _assert_equal_marts(compare.check_marts(warehouse.database, duckdb_marts))


def test_pandas_baseline_equals_the_marts(warehouse: BuildSettings, pandas_marts: Path) -> None:
    _assert_equal_marts(compare.check_marts(warehouse.database, pandas_marts))


def test_baselines_see_the_quarantine(warehouse: BuildSettings, duckdb_marts: Path) -> None:
    """The data holds bad rows that change the figures, so equal marts mean the rules were applied: the
    landing answers (the loader's copy of the export) have more scored rows on NPS questions than the mart
    counts."""
    connection = duckdb.connect()
    counted = connection.execute(
        f"select sum(responses) from '{duckdb_marts}/mart_nps_by_segment.parquet' "
        "where period_grain = 'year' and segment_dimension = 'all'"
    ).fetchall()[0][0]
    seeds = project_dir() / "seeds"
    landing = warehouse.landing_dir
    raw_nps = connection.execute(
        f"select count(*) from '{landing}/survey_answers.parquet' as a "
        f"inner join '{landing}/survey_questions.parquet' as q on a.question_id = q.question_id "
        f"inner join read_csv('{seeds}/label_synonyms.csv', all_varchar = true) as s "
        "on s.vocabulary = 'metric' and lower(trim(s.spelling)) = lower(trim(q.metric)) "
        "where s.display_value = 'nps' and a.score is not null"
    ).fetchall()[0][0]
    quarantined = connection.execute(
        f"select count(*) from read_csv('{warehouse.raw_dir}/_expected_quarantine.csv', all_varchar = true) "
        "where source_table = 'survey_answers'"
    ).fetchall()[0][0]
    assert quarantined > 0
    assert 0 < counted < raw_nps


def test_baselines_check_the_raw_contract_alike(warehouse: BuildSettings) -> None:
    """Both baselines take each table's columns, types and contract checks from the raw contract: the DuckDB
    fragments name every declared column, and for every raw table the DuckDB fragment and pandas' `checked`
    pass the same rows."""
    import pandas as pd

    fragments = baseline_duckdb.baseline_fragments(warehouse.landing_dir)
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    as_of = warehouse.as_of_date.isoformat()
    connection.execute(f"set variable as_of = date '{as_of}'")
    connection.execute(f"set variable as_of_end = cast(date '{as_of}' + interval 1 day as timestamp)")
    connection.execute("create macro label_key(x) as lower(trim(regexp_replace(x, ' +', ' ', 'g')))")
    seeds = baseline_pandas.Seeds(project_dir() / "seeds")
    codes = pd.DataFrame(
        [(vocabulary, key, code) for (vocabulary, key), code in seeds.codes.items()],
        columns=["vocabulary", "value_key", "code"],
    )
    connection.register("codes", codes)
    settings = baseline_pandas.Settings(warehouse.as_of_date)
    failed = 0
    for name, table in raw_tables().items():
        described = connection.execute(f"describe select * from {fragments[name]}").fetchall()
        typed = [row[0] for row in described if not row[0].endswith("__text")]
        assert typed[: len(table.columns)] == [column.name for column in table.columns], name
        duck = connection.execute(
            f"select _row_number from {fragments[name]} where passes_contract order by _row_number"
        ).fetchall()
        frame = baseline_pandas.checked(warehouse.landing_dir, name, seeds, settings)
        passed = sorted(frame.loc[frame["passes_contract"], "_row_number"].tolist())
        assert [row[0] for row in duck] == passed, name
        assert passed, name
        failed += len(frame) - len(passed)
    assert failed > 0


def test_check_marts_finds_a_changed_value_and_a_missing_row(
    warehouse: BuildSettings, duckdb_marts: Path, tmp_path: Path
) -> None:
    changed = tmp_path / "changed"
    shutil.copytree(duckdb_marts, changed)
    connection = duckdb.connect()
    for mart, change in {
        "mart_csat_by_touchpoint": "select * replace (satisfied + 1 as satisfied) from source",
        "mart_churn": "select * from source where not (period_grain = 'year' and segment_dimension = 'all')",
        "mart_nps_by_segment": "select * replace (nps + 1e-6 as nps) from source",
    }.items():
        path = changed / f"{mart}.parquet"
        connection.execute(f"create or replace view source as select * from '{duckdb_marts}/{mart}.parquet'")
        connection.execute(f"copy ({change}) to '{path}' (format parquet)")
    report = compare.check_marts(warehouse.database, changed)
    assert report["mart_ces_by_touchpoint"]["ok"]
    assert (
        report["mart_csat_by_touchpoint"]["mismatched_cells"]["satisfied"]
        == report["mart_csat_by_touchpoint"]["rows"]
    )
    assert report["mart_churn"]["missing_rows"] > 0
    assert "nps" in report["mart_nps_by_segment"]["mismatched_cells"]
    assert not any(entry["ok"] for mart, entry in report.items() if mart != "mart_ces_by_touchpoint")


def test_scale_labels() -> None:
    assert harness.parse_scale("100k") == 100_000
    assert harness.accounts_for("10m") == 100_000
    assert harness.accounts_for("100m") == 1_000_000
    with pytest.raises(Exception, match="not a scale"):
        harness.parse_scale("lots")


def test_harness_runs_end_to_end(tmp_path: Path) -> None:
    """A tiny scale (100 accounts) through every step, writing the results file."""
    results = tmp_path / "results.json"
    code = harness.main(
        ["--scales", "10k", "--workdir", str(tmp_path / "work"), "--results", str(results), "--skip", "build"]
    )
    assert code == 0
    written = json.loads(results.read_text())
    assert written["machine"]["cores"] >= 1
    assert written["scales"]["10k"]["settings"]["dbt_threads"] >= 1
    scale = written["scales"]["10k"]
    assert scale["accounts"] == 100
    assert scale["survey_answers"] > 0
    for name in (
        "load",
        "dbt_parse",
        "dbt_noop_run",
        "dbt_seed",
        "dbt_run",
        "dbt_test",
        "duckdb_baseline",
        "pandas_baseline",
    ):
        step = scale["steps"][name]
        assert step["returncode"] == 0, name
        assert step["seconds"] > 0 and step["peak_rss_mb"] > 0, name
    assert scale["checks"]["duckdb_baseline"]["ok"] and scale["checks"]["pandas_baseline"]["ok"]
    assert scale["ratios"]["run_vs_duckdb"] > 0
    assert scale["slowest_models"]
    assert scale["ratios"]["load_vs_run"] > 0
    # The Python models' time inside the run, per model and as a share of it.
    assert scale["python_models"]["prep_account_clv_scores"] > 0
    assert 0 < scale["ratios"]["python_models_share_of_run"] < 1
    if "skipped" not in scale["incremental"]:
        assert scale["steps"]["incremental_load"]["returncode"] == 0
        assert scale["steps"]["incremental_run"]["returncode"] == 0
        assert all(entry["ok"] for entry in scale["incremental"]["same_marts_as_full_build"].values())
    # Generated once: a second run reuses the data (same marker) instead of writing it again.
    marker = tmp_path / "work" / "10k" / harness.MARKER_NAME
    before = marker.stat().st_mtime_ns
    assert harness.ensure_data(tmp_path / "work" / "10k", 100)["accounts"] == 100
    assert marker.stat().st_mtime_ns == before


def test_results_keep_every_earlier_run(tmp_path: Path) -> None:
    """Measuring a scale again moves its former entry to earlier_runs; other scales stay as they were."""
    results = tmp_path / "results.json"
    first = {"scale": "10k", "measured_at": "2026-01-01T00:00:00+00:00", "commit": "aaaaaaa"}
    other = {"scale": "1m", "measured_at": "2026-01-01T01:00:00+00:00", "commit": "aaaaaaa"}
    harness.merge_results(results, [first, other], "first")
    second = {"scale": "10k", "measured_at": "2026-01-02T00:00:00+00:00", "commit": "bbbbbbb"}
    merged = harness.merge_results(results, [second], "second")
    assert merged["scales"]["10k"]["commit"] == "bbbbbbb"
    assert merged["scales"]["1m"]["commit"] == "aaaaaaa"
    assert merged["earlier_runs"] == {"10k@2026-01-01T00:00:00+00:00": {**first, "command": "first"}}
    assert json.loads(results.read_text()) == merged
    assert re.fullmatch(r"[0-9a-f]{7,}(\+changes)?|unknown", harness.project_commit())
