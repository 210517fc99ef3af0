"""The great-expectations suite on the built marts: passes on the real build, fails on a broken mart."""

from __future__ import annotations

from cx_warehouse.runtime.expectations import read_marts, validate_frames
from cx_warehouse.runtime.project import BuildSettings


def test_suite_passes_on_the_built_marts(warehouse: BuildSettings) -> None:
    results = validate_frames(read_marts(warehouse.database))
    assert len(results) == 7
    assert [r for r in results if not r.success] == []


def test_suite_catches_an_impossible_nps_and_a_missing_mart(warehouse: BuildSettings) -> None:
    frames = read_marts(warehouse.database)
    frames["mart_nps_by_segment"].loc[0, "nps"] = 150.0
    del frames["mart_csi"]
    failed = {r.mart: r.failed_expectations for r in validate_frames(frames) if not r.success}
    assert failed.keys() == {"mart_nps_by_segment", "mart_csi"}
    assert any("expect_column_values_to_be_between(nps)" in f for f in failed["mart_nps_by_segment"])
