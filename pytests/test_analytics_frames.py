"""The frames the Python models return: DuckDB must be able to type every column, also of an empty result."""

from __future__ import annotations

import duckdb
import pandas as pd

from cx_warehouse.analytics.frames import typed_for_warehouse


def _types(frame: pd.DataFrame) -> list[str]:
    return [str(kind) for kind in duckdb.sql("select * from frame").types]


def test_an_empty_result_has_text_columns_instead_of_null_ones() -> None:
    empty = pd.DataFrame(columns=["account_id", "probability"])
    assert _types(empty) == ['"NULL"', '"NULL"']
    assert _types(typed_for_warehouse(empty)) == ["VARCHAR", "VARCHAR"]


def test_columns_with_values_keep_their_types() -> None:
    frame = pd.DataFrame({"account_id": ["A1", None], "score": [0.5, None], "reason": [None, None]})
    assert _types(typed_for_warehouse(frame)) == ["VARCHAR", "DOUBLE", "VARCHAR"]
    pd.testing.assert_frame_equal(
        typed_for_warehouse(frame)[["account_id", "score"]], frame[["account_id", "score"]]
    )
