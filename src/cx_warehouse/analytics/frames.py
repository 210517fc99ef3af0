"""What the Python models hand back to dbt: pandas frames whose columns DuckDB can type."""

from __future__ import annotations

import pandas as pd


def typed_for_warehouse(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column of Python objects that holds no value (an empty result, a column left
    empty) as pandas' string dtype. DuckDB types such a column NULL, a type nothing casts to: a dbt unit test
    of the mart above fails on its fixture rows. Text is what the empty column of an empty relation read with
    ``.df()`` was, and the marts cast every column to its contract type anyway."""
    untyped = [
        column for column in frame.columns if frame[column].dtype == object and frame[column].isna().all()
    ]
    return frame.astype(dict.fromkeys(untyped, "string"))
