"""The analysts' explorer (cx_warehouse.explorer): its queries on a hand-made mart, and the Streamlit app
(streamlit.testing) on the session's built warehouse, opened read-only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from cx_warehouse import explorer
from cx_warehouse.explorer import marts
from cx_warehouse.runtime.project import BuildSettings
from cx_warehouse.runtime.warehouse import connect, schema_tables

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

APP = Path(explorer.__file__).with_name("app.py")

# A mart of four rows, worked by hand: filtered by touchpoint 'support' it keeps rows 1 and 3 (2 rows); by
# period_start 2026-07-01 as well, row 3 only; its filter options are the distinct values, the null left out.
HAND_MADE_MART = """
create schema marts;
create table marts.mart_scores (
    period_start date, touchpoint varchar, responses integer, is_low_sample boolean, label varchar
);
comment on table marts.mart_scores is 'Scores by quarter and touchpoint.';
comment on column marts.mart_scores.responses is 'Answers counted (count).';
insert into marts.mart_scores values
    ('2026-04-01', 'support', 10, false, 'a'),
    ('2026-04-01', 'onboarding', 4, true, 'b'),
    ('2026-07-01', 'support', 12, false, 'c'),
    ('2026-07-01', null, 3, true, 'd');
"""


@pytest.fixture()
def hand_made() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(HAND_MADE_MART)
    return connection


def test_queries_on_a_hand_made_mart(hand_made: duckdb.DuckDBPyConnection) -> None:
    assert schema_tables(hand_made) == ["mart_scores"]
    assert marts.filter_options(hand_made, "mart_scores") == {
        "period_start": [date(2026, 4, 1), date(2026, 7, 1)],
        "touchpoint": ["onboarding", "support"],
    }
    assert list(marts.read_mart(hand_made, "mart_scores", {"touchpoint": "support"})["label"]) == ["a", "c"]
    both = {"touchpoint": "support", "period_start": date(2026, 7, 1)}
    assert list(marts.read_mart(hand_made, "mart_scores", both)["label"]) == ["c"]
    assert len(marts.read_mart(hand_made, "mart_scores", {"touchpoint": None})) == 4
    assert marts.numeric_columns(hand_made, "mart_scores") == ["responses"]
    descriptions = marts.column_descriptions(hand_made, "mart_scores").set_index("column")["description"]
    assert descriptions["responses"] == "Answers counted (count)."
    assert marts.mart_description(hand_made, "mart_scores") == "Scores by quarter and touchpoint."


def test_only_marts_and_their_filter_columns_reach_a_query(hand_made: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="not a table of schema marts"):
        marts.read_mart(hand_made, 'mart_scores"; drop table marts.mart_scores; --')
    with pytest.raises(ValueError, match="cannot be filtered by label"):
        marts.read_mart(hand_made, "mart_scores", {"label": "a"})


@pytest.fixture()
def app(warehouse: BuildSettings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(explorer.DATABASE_VARIABLE, str(warehouse.database))
    return AppTest.from_file(str(APP), default_timeout=60).run()


def test_app_filters_a_mart_to_the_rows_sql_counts(app: AppTest, warehouse: BuildSettings) -> None:
    assert not app.exception
    app.selectbox(key="mart").set_value("mart_nps_by_segment").run()
    app.selectbox(key="filter_period_grain").set_value("quarter").run()
    app.selectbox(key="filter_segment_dimension").set_value("tier").run()
    assert not app.exception
    with connect(warehouse.database) as connection:
        (expected,) = connection.execute(
            "select count(*) from marts.mart_nps_by_segment"
            " where period_grain = 'quarter' and segment_dimension = 'tier'"
        ).fetchone()
    assert expected > 0
    assert app.metric[0].value == str(expected)
    assert len(app.dataframe[0].value) == expected


def test_app_shows_the_persisted_column_descriptions(app: AppTest, warehouse: BuildSettings) -> None:
    app.selectbox(key="mart").set_value("mart_nps_by_segment").run()
    app.radio(key="view").set_value("Column descriptions").run()
    assert not app.exception
    shown = app.dataframe[0].value.set_index("column")["description"]
    with connect(warehouse.database) as connection:
        (expected,) = connection.execute(
            "select comment from duckdb_columns() where schema_name = 'marts'"
            " and table_name = 'mart_nps_by_segment' and column_name = 'nps'"
        ).fetchone()
    assert expected.startswith("Net Promoter Score, (promoters - detractors) * 100 / responses")
    assert shown["nps"] == expected
