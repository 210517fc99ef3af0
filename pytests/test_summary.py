"""The CLI's headline summary: quarter arithmetic, formatting, and reading a real build."""

from __future__ import annotations

from datetime import date

import pytest

from cx_warehouse.cli import main
from cx_warehouse.project import BuildSettings
from cx_warehouse.summary import Headline, format_headline, last_complete_quarter_start, read_headline


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 9, 30), date(2026, 7, 1)),  # the quarter's last day: that quarter is complete
        (date(2026, 9, 29), date(2026, 4, 1)),
        (date(2026, 10, 1), date(2026, 7, 1)),
        (date(2026, 2, 14), date(2025, 10, 1)),
        (date(2025, 12, 31), date(2025, 10, 1)),
    ],
)
def test_last_complete_quarter(as_of: date, expected: date) -> None:
    assert last_complete_quarter_start(as_of) == expected


def test_format_shows_every_headline_and_missing_figures_as_na() -> None:
    headline = Headline(
        date(2026, 7, 1),
        23.456,
        "acceptable",
        1234,
        81.0,
        None,
        70.2,
        2.5,
        95.0,
        103.4,
        12_345_678.0,
        20_000,
        200,
    )
    text = format_headline(headline)
    assert "Q3 2026" in text
    assert "+23.5" in text and "acceptable" in text and "1,234 responses" in text
    assert "CES         n/a" in text
    assert "12.35 M EUR" in text
    assert "200 of 20,000 raw rows quarantined (1.00 %)" in text


def test_headline_reads_the_built_marts(warehouse: BuildSettings) -> None:
    headline = read_headline(warehouse.database, warehouse.as_of_date)
    assert headline.quarter_start == date(2026, 7, 1)
    assert headline.nps_responses > 0 and -100 <= headline.nps <= 100
    for share in (headline.csat, headline.ces, headline.csi, headline.grr):
        assert 0 <= share <= 100
    assert headline.quarantined_rows > 0


def test_cli_summary_prints_the_headline(
    warehouse: BuildSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["summary", "--database", str(warehouse.database), "--as-of", "2026-09-30"]) == 0
    assert "Headline metrics, Q3 2026" in capsys.readouterr().out


def test_cli_rejects_a_bad_date() -> None:
    with pytest.raises(SystemExit):
        main(["summary", "--as-of", "30/09/2026"])


def test_cli_build_stops_on_a_folder_without_raw_files(tmp_path) -> None:
    with pytest.raises(SystemExit, match="lacks the raw table file"):
        main(["build", "--raw-dir", str(tmp_path), "--database", str(tmp_path / "x.duckdb")])
    assert not (tmp_path / "x.duckdb").exists()
