"""The semantic layer (models/semantic/, docs/semantic-layer.md): `mf query` on the built test warehouse gives
the same figures as the metric marts, row for row. Each mf call costs ~5 s of start-up, so the metrics of one
mart share a call."""

from __future__ import annotations

import csv
import math
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from cx_warehouse.runtime.project import BuildSettings, manifest_path, project_dir, project_vars
from cx_warehouse.runtime.warehouse import connect

pytest.importorskip(
    "dbt_metricflow",
    reason="the semantic layer needs the optional extra semantic: pip install -e '.[semantic]'",
)


def mf_query(warehouse: BuildSettings, tmp_path: Path, metrics: list[str], group_by: list[str]) -> list[dict]:
    """`mf query` against the warehouse file, limited to the reporting calendar (var reporting_start_date to
    the as-of day) as the marts are; the result's rows as dicts of text."""
    out = tmp_path / "result.csv"
    root = project_dir()
    # mf reads <project>/target/semantic_manifest.json whatever DBT_TARGET_PATH says: give it the build's.
    built = manifest_path().with_name("semantic_manifest.json")
    read_by_mf = root / "target" / "semantic_manifest.json"
    if built.resolve() != read_by_mf.resolve():
        read_by_mf.parent.mkdir(exist_ok=True)
        shutil.copyfile(built, read_by_mf)
    env = dict(os.environ, DBT_PROFILES_DIR=str(root), DBT_PROJECT_DIR=str(root),
               CXW_DUCKDB_PATH=str(warehouse.database.resolve()))  # fmt: skip
    subprocess.run(
        [
            str(Path(sys.executable).with_name("mf")),
            "query",
            "--metrics", ",".join(metrics),
            "--group-by", ",".join(group_by),
            "--start-time", str(project_vars()["reporting_start_date"]),
            "--end-time", warehouse.as_of_date.isoformat(),
            "--csv", str(out),
        ],
        cwd=root, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    with out.open(newline="") as file:
        return list(csv.DictReader(file))


def quarter(text: str) -> date:
    """metric_time__quarter as MetricFlow writes it ('2024-04-01' or '2024-04-01 00:00:00')."""
    return date.fromisoformat(text[:10])


def number(text: str) -> float | None:
    return float(text) if text not in ("", "None") else None


def same_figures(expected: dict, actual: dict) -> bool:
    """Counts equal, ratios equal to 1e-9 relative, nulls where the mart has nulls."""
    return expected.keys() == actual.keys() and all(
        (expected[key] is None and actual[key] is None)
        or (
            expected[key] is not None
            and actual[key] is not None
            and math.isclose(expected[key], actual[key], rel_tol=1e-9, abs_tol=1e-9)
        )
        for key in expected
    )


def mart_rows(warehouse: BuildSettings, sql: str) -> dict[tuple, dict]:
    with connect(warehouse.database) as connection:
        cursor = connection.execute(sql)
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    return {
        row[:2]: {
            name: (float(value) if value is not None else None)
            for name, value in zip(names[2:], row[2:], strict=True)
        }
        for row in rows
    }


def test_nps_by_quarter_and_tier_equals_mart_nps_by_segment(warehouse: BuildSettings, tmp_path: Path):
    rows = mf_query(warehouse, tmp_path, ["nps", "nps_responses", "nps_promoters", "nps_detractors"],
                    ["metric_time__quarter", "answer__tier"])  # fmt: skip
    actual = {
        (quarter(row["metric_time__quarter"]), row["answer__tier"]): {
            "responses": number(row["nps_responses"]),
            "promoters": number(row["nps_promoters"]),
            "detractors": number(row["nps_detractors"]),
            "nps": number(row["nps"]),
        }
        for row in rows
    }
    expected = mart_rows(
        warehouse,
        "select period_start, segment_value, responses, promoters, detractors, nps from mart_nps_by_segment"
        " where period_grain = 'quarter' and segment_dimension = 'tier'",
    )
    assert len(expected) > 10, "the test data should give several quarters and tiers"
    assert actual.keys() == expected.keys()
    differing = {
        key: (expected[key], actual[key]) for key in expected if not same_figures(expected[key], actual[key])
    }
    assert not differing


def test_csat_and_ces_by_quarter_and_touchpoint_equal_their_marts(warehouse: BuildSettings, tmp_path: Path):
    rows = mf_query(warehouse, tmp_path, ["csat", "csat_responses", "ces", "ces_responses"],
                    ["metric_time__quarter", "answer__touchpoint"])  # fmt: skip
    for metric, mart in (("csat", "mart_csat_by_touchpoint"), ("ces", "mart_ces_by_touchpoint")):
        actual = {
            (quarter(row["metric_time__quarter"]), row["answer__touchpoint"]): {
                "responses": number(row[f"{metric}_responses"]),
                metric: number(row[metric]),
            }
            for row in rows
            if number(row[f"{metric}_responses"])
        }
        expected = mart_rows(
            warehouse,
            f"select period_start, touchpoint, responses, {metric} from {mart}"
            " where period_grain = 'quarter' and touchpoint <> 'all'",
        )
        assert len(expected) > 10, f"the test data should give several quarters and touchpoints of {metric}"
        assert actual.keys() == expected.keys(), metric
        differing = {
            key: (expected[key], actual[key])
            for key in expected
            if not same_figures(expected[key], actual[key])
        }
        assert not differing, metric


def test_quarterly_churn_grr_nrr_equal_mart_churn(warehouse: BuildSettings, tmp_path: Path):
    rows = mf_query(warehouse, tmp_path, ["logo_churn_rate", "grr", "nrr", "quarterly_accounts_start"],
                    ["metric_time__quarter"])  # fmt: skip
    actual = {
        quarter(row["metric_time__quarter"]): {
            "accounts_start": number(row["quarterly_accounts_start"]),
            "logo_churn_rate": number(row["logo_churn_rate"]),
            "grr": number(row["grr"]),
            "nrr": number(row["nrr"]),
        }
        for row in rows
    }
    expected = {
        key[0]: figures
        for key, figures in mart_rows(
            warehouse,
            "select period_start, segment_value, accounts_start, logo_churn_rate, grr, nrr from mart_churn"
            " where period_grain = 'quarter' and segment_dimension = 'all' and accounts_start > 0",
        ).items()
    }
    assert len(expected) > 4
    assert actual.keys() >= expected.keys()
    # The mart rounds its rates to 6 decimals (type_rate).
    differing = {
        key: (expected[key], actual[key])
        for key in expected
        if expected[key]["accounts_start"] != actual[key]["accounts_start"]
        or any(
            abs(expected[key][rate] - actual[key][rate]) > 1e-6 for rate in ("logo_churn_rate", "grr", "nrr")
        )
    }
    assert not differing
