"""Hand-written raw exports shaped like real ones (tests/fixtures/exports/<name>/), built end to end: the
loader, `dbt seed` and `dbt build` into a DuckDB file per fixture, then the marts' figures compared with
figures worked out by hand from the warehouse's rules. Each fixture's README.md holds the arithmetic behind
every expected number here; none of them was read from a build. This module needs no conftest fixture."""

from __future__ import annotations

import csv
import io
import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from cx_warehouse.runtime.cli import main
from cx_warehouse.runtime.load import pii_key, pseudonym
from cx_warehouse.runtime.project import BuildSettings, load_raw, run_dbt
from cx_warehouse.runtime.publish import Night
from cx_warehouse.runtime.raw_contract import raw_tables
from cx_warehouse.runtime.summary import read_headline
from cx_warehouse.runtime.warehouse import connect

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "exports"
AS_OF = date(2024, 7, 15)  # every fixture's as-of day: the last complete quarter is Q2 2024
Q1 = date(2024, 1, 1)
Q2 = date(2024, 4, 1)
HOSTILE_NAMES = ("O'Brien exports", "export {2026}", "x'); drop table y; --")


# ------------------------------------------------------------------------------------------------ builds


@dataclass(frozen=True)
class Built:
    """A built fixture: its settings, and plain SQL reads of its database (read-only)."""

    settings: BuildSettings

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        with connect(self.settings.database) as connection:
            return connection.execute(sql, params or []).fetchall()

    def records(self, sql: str, params: list | None = None) -> list[dict]:
        with connect(self.settings.database) as connection:
            cursor = connection.execute(sql, params or [])
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def record(self, sql: str, params: list | None = None) -> dict:
        found = self.records(sql, params)
        assert len(found) == 1, f"expected one row, got {found}"
        return found[0]


def _dbt_environment(monkeypatch: pytest.MonkeyPatch, work: Path) -> None:
    """dbt's target and log folders per build (other builds may run at the same time); CXW_DUCKDB_PATH,
    which run_dbt sets for the process, is put back when the build is done."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(work / "dbt_target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(work / "dbt_logs"))
    monkeypatch.setenv("CXW_DUCKDB_PATH", str(work / "unused.duckdb"))


def build_export(raw_dir: Path, work: Path, database: Path | None = None, time_zone: str = "UTC",
                 extra_vars: dict | None = None) -> Built:  # fmt: skip
    """Load the export folder as it is (nothing copied), `dbt seed`, `dbt build` (without unit tests) into a
    new database; run_dbt raises when a model or data test fails."""
    settings = BuildSettings(
        raw_dir=raw_dir,
        database=database or work / "cx.duckdb",
        as_of_date=AS_OF,
        extra_vars=dict(extra_vars or {}),
        reporting_time_zone=time_zone,
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        _dbt_environment(monkeypatch, work)
        load_raw(settings)
        run_dbt(["--quiet", "seed"], settings)  # --quiet: dbt prints only its errors
        run_dbt(["--quiet", "build", "--exclude", "test_type:unit"], settings)
    return Built(settings)


# ------------------------------------------------------------------------------------------ shared reads


def nps_rows(built: Built, grain: str, start: date, dimension: str) -> dict[str, tuple]:
    """segment_value -> (responses, promoters, passives, detractors, nps) of one period and dimension."""
    rows = built.rows(
        "select segment_value, responses, promoters, passives, detractors, nps from mart_nps_by_segment "
        "where period_grain = ? and period_start = ? and segment_dimension = ?",
        [grain, start, dimension],
    )
    return {value: tuple(rest) for value, *rest in rows}


def nps_band(built: Built, start: date) -> str:
    """The NPS band of the quarter's 'all' row."""
    return built.record(
        "select nps_band from mart_nps_by_segment where period_grain = 'quarter' and period_start = ? "
        "and segment_dimension = 'all'",
        [start],
    )["nps_band"]


def churn_row(built: Built, start: date, dimension: str = "all", value: str = "all") -> dict:
    return built.record(
        "select * from mart_churn where period_grain = 'quarter' and period_start = ? "
        "and segment_dimension = ? and segment_value = ?",
        [start, dimension, value],
    )


def assert_nps(found: tuple, responses: int, promoters: int, passives: int, detractors: int, nps: float):
    assert found[:4] == (responses, promoters, passives, detractors)
    assert found[4] == pytest.approx(nps, abs=1e-9)


def assert_churn(row: dict, **expected: float) -> None:
    """Counts exactly, money to the cent, rates (decimal(18,6)) to the rounding of their sixth decimal."""
    for name, value in expected.items():
        found = row[name]
        if name in ("logo_churn_rate", "crr", "grr", "nrr"):
            assert found is not None and float(found) == pytest.approx(value, abs=1e-6), name
        elif isinstance(found, Decimal):
            assert found == Decimal(str(value)).quantize(Decimal("0.01")), name
        else:
            assert found == value, name


def quarantined(built: Built) -> set[tuple]:
    return set(
        built.rows(
            "select source_table, record_key, quarantine_reason, source_line_number from fct_quarantined_rows"
        )
    )


def reconciliation(built: Built) -> dict[str, tuple]:
    """source_table -> (raw_rows, valid_rows, quarantined_rows, orphaned_rows)."""
    rows = built.rows(
        "select source_table, raw_rows, valid_rows, quarantined_rows, orphaned_rows "
        "from mart_raw_reconciliation"
    )
    return {table: tuple(rest) for table, *rest in rows}


def assert_other_tables_clean(counts: dict[str, tuple], checked: dict[str, tuple]) -> None:
    """The tables in `checked` have exactly those counts; every other table is empty or fully valid."""
    assert sorted(counts) == sorted(raw_tables())
    for table, found in counts.items():
        if table in checked:
            assert found == checked[table], table
        else:
            raw_rows, valid_rows, quarantined_rows, orphaned_rows = found
            assert (valid_rows, quarantined_rows, orphaned_rows) == (raw_rows, 0, 0), table


# --------------------------------------------------------------- 1. crm_own_labels (and its mapped twin)

#: The CRM's labels mapped to the demo's codes, for the twin (keys: the spelling trimmed and lower-cased).
TWIN_CODES = {
    "tier": {"key account": "strategic", "growth": "key", "self-serve": "standard"},
    "industry": {"computer software": "it_services", "industrial machinery": "manufacturing"},
}
#: The label each value is shown with in the CRM's build -> in the twin's build.
TWIN_SHOWN = {
    "tier": {"Key Account": "strategic", "Growth": "key", "Self-serve": "standard", "unknown": "unknown"},
    "industry": {
        "Computer Software": "it_services", "Industrial Machinery": "manufacturing", "unknown": "unknown"
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def crm_labels(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("crm_own_labels")
    return build_export(FIXTURES / "crm_own_labels", work)


def _write_twin(source: Path, target: Path) -> Path:
    """The export with accounts.csv's tier and industry written as the demo's codes."""
    target.mkdir(parents=True)
    for path in source.glob("*.csv"):
        shutil.copy2(path, target / path.name)
    with (source / "accounts.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for column, codes in TWIN_CODES.items():
            written = " ".join(row[column].split()).lower()
            row[column] = codes[written] if written else ""
    with (target / "accounts.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return target


@pytest.fixture(scope="module")
def crm_twin(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("crm_own_labels_twin")
    raw_dir = _write_twin(FIXTURES / "crm_own_labels", work / "raw")
    return build_export(raw_dir, work)


def test_crm_labels_every_row_counts(crm_labels: Built) -> None:
    assert_other_tables_clean(
        reconciliation(crm_labels),
        {"accounts": (7, 7, 0, 0), "contracts": (9, 9, 0, 0), "survey_answers": (11, 11, 0, 0)},
    )
    assert quarantined(crm_labels) == set()


def test_crm_labels_are_shown_in_their_most_frequent_spelling(crm_labels: Built) -> None:
    shown = {
        account: (tier, industry)
        for account, tier, industry in crm_labels.rows("select account_id, tier, industry from dim_accounts")
    }
    assert shown["A1"] == ("Key Account", "Computer Software")
    assert shown["A2"] == ("Key Account", "Computer Software")  # written 'key account ' / 'COMPUTER SOFTWARE'
    assert shown["A4"] == ("Growth", "Computer Software")
    assert shown["A6"] == ("Self-serve", "Industrial Machinery")  # written 'industrial machinery'
    assert shown["A7"] == ("unknown", "unknown")  # empty
    managers = dict(crm_labels.rows("select account_id, account_manager from dim_accounts"))
    assert managers["A6"] == "Mette Holm"  # written 'Mette  Holm'
    reasons = dict(crm_labels.rows("select account_id, reason_category from fct_churn_events"))
    assert reasons == {"A6": "price", "A2": "competitor"}  # 'Pricing', 'Went to a competitor'
    new_values = set(
        crm_labels.rows(
            "select source_column, spelling from mart_label_values where source_table = 'accounts' "
            "and source_column in ('tier', 'industry') and is_new_value"
        )
    )
    assert new_values == {
        ("tier", "Key Account"), ("tier", "key account"), ("tier", "Growth"), ("tier", "Self-serve"),
        ("industry", "Computer Software"), ("industry", "COMPUTER SOFTWARE"),
        ("industry", "Industrial Machinery"), ("industry", "industrial machinery"),
    }  # fmt: skip


def test_crm_labels_nps_by_tier_and_industry(crm_labels: Built) -> None:
    assert_nps(nps_rows(crm_labels, "quarter", Q2, "all")["all"], 8, 4, 2, 2, (4 - 2) / 8 * 100)
    assert nps_band(crm_labels, Q2) == "acceptable"  # 0 <= 25 < 30
    tiers = nps_rows(crm_labels, "quarter", Q2, "tier")
    assert set(tiers) == {"Key Account", "Growth", "Self-serve", "unknown"}
    assert_nps(tiers["Key Account"], 4, 2, 1, 1, (2 - 1) / 4 * 100)
    assert_nps(tiers["Growth"], 2, 1, 0, 1, 0.0)
    assert_nps(tiers["Self-serve"], 1, 1, 0, 0, 100.0)
    assert_nps(tiers["unknown"], 1, 0, 1, 0, 0.0)
    industries = nps_rows(crm_labels, "quarter", Q2, "industry")
    assert set(industries) == {"Computer Software", "Industrial Machinery", "unknown"}
    assert_nps(industries["Computer Software"], 4, 2, 0, 2, 0.0)
    assert_nps(industries["Industrial Machinery"], 3, 2, 1, 0, 2 / 3 * 100)
    assert_nps(industries["unknown"], 1, 0, 1, 0, 0.0)


def test_crm_labels_churn_by_tier_and_industry(crm_labels: Built) -> None:
    assert_churn(
        churn_row(crm_labels, Q2),
        accounts_start=6, new_accounts=1, churned_accounts=2, accounts_end=5, churn_events_recorded=2,
        logo_churn_rate=2 / 6 * 100, crr=(5 - 1) / 6 * 100,
        arr_start=277000, arr_new=25000, arr_expansion=20000, arr_contraction=6000, arr_churned=62000,
        arr_end=254000, grr=209000 / 277000 * 100, nrr=229000 / 277000 * 100, incomplete_accounts=0,
    )  # fmt: skip
    assert_churn(
        churn_row(crm_labels, Q2, "tier", "Key Account"),
        accounts_start=3, churned_accounts=1, accounts_end=2, logo_churn_rate=1 / 3 * 100,
        arr_start=230000, arr_expansion=20000, arr_churned=50000, arr_end=200000,
        grr=180000 / 230000 * 100, nrr=200000 / 230000 * 100,
    )  # fmt: skip
    assert_churn(
        churn_row(crm_labels, Q2, "tier", "Growth"),
        accounts_start=1, new_accounts=1, churned_accounts=0, accounts_end=2, logo_churn_rate=0.0,
        arr_start=30000, arr_contraction=6000, grr=80.0, nrr=80.0,
    )  # fmt: skip
    assert_churn(
        churn_row(crm_labels, Q2, "tier", "Self-serve"),
        accounts_start=1, churned_accounts=1, accounts_end=0, logo_churn_rate=100.0, grr=0.0, nrr=0.0,
    )  # fmt: skip
    assert_churn(
        churn_row(crm_labels, Q2, "tier", "unknown"),
        accounts_start=1, churned_accounts=0, accounts_end=1, logo_churn_rate=0.0, grr=100.0, nrr=100.0,
    )  # fmt: skip
    assert_churn(
        churn_row(crm_labels, Q2, "industry", "Computer Software"),
        accounts_start=3, churned_accounts=1, logo_churn_rate=1 / 3 * 100, arr_start=180000,
        grr=124000 / 180000 * 100, nrr=124000 / 180000 * 100,
    )  # fmt: skip
    assert_churn(
        churn_row(crm_labels, Q2, "industry", "Industrial Machinery"),
        accounts_start=2, new_accounts=1, churned_accounts=1, logo_churn_rate=50.0, arr_start=92000,
        grr=80000 / 92000 * 100, nrr=100000 / 92000 * 100,
    )  # fmt: skip


def _by_mapped_segment(built: Built, mart: str, measures: str, mapping: dict | None) -> dict:
    """Every tier, industry and 'all' row of a mart, keyed by period and segment, the segment value mapped."""
    rows = built.rows(
        f"select period_grain, period_start, segment_dimension, segment_value, {measures} from {mart} "
        "where segment_dimension in ('all', 'tier', 'industry')"
    )
    keyed = {}
    for grain, start, dimension, value, *figures in rows:
        shown = value if mapping is None or dimension == "all" else mapping[dimension][value]
        keyed[(grain, start, dimension, shown)] = tuple(figures)
    return keyed


def test_crm_labels_twin_with_demo_codes_gives_the_same_figures(crm_labels: Built, crm_twin: Built) -> None:
    assert set(crm_twin.rows("select tier from dim_accounts where not is_unknown_member")) == {
        ("strategic",), ("key",), ("standard",), ("unknown",)
    }  # fmt: skip
    nps = "responses, promoters, passives, detractors, nps"
    expected_nps = _by_mapped_segment(crm_labels, "mart_nps_by_segment", nps, TWIN_SHOWN)
    assert expected_nps == _by_mapped_segment(crm_twin, "mart_nps_by_segment", nps, None)
    assert expected_nps[("quarter", Q2, "tier", "strategic")][:4] == (4, 2, 1, 1)
    churn = (
        "accounts_start, new_accounts, churned_accounts, accounts_end, arr_start, arr_new, arr_expansion, "
        "arr_contraction, arr_churned, arr_end, logo_churn_rate, crr, grr, nrr, churn_events_recorded"
    )
    expected_churn = _by_mapped_segment(crm_labels, "mart_churn", churn, TWIN_SHOWN)
    assert expected_churn == _by_mapped_segment(crm_twin, "mart_churn", churn, None)
    assert expected_churn[("quarter", Q2, "tier", "key")][:4] == (1, 1, 0, 2)


# ----------------------------------------------- 1b. crm_own_labels: account health (README "Account health")

Q3 = date(2024, 7, 1)  # the running quarter of crm_own_labels: it ends on the as-of day, 2024-07-15


def _account_health(built: Built, start: date) -> dict[str, tuple]:
    """account_id -> (respondents, mean_score, account_category, decision_maker_category, arr_eur,
    days_since_last_answer, is_answered_recently) of one quarter."""
    rows = built.rows(
        "select account_id, respondents, mean_score, account_category, decision_maker_category, arr_eur,"
        " days_since_last_answer, is_answered_recently from mart_account_health"
        " where period_grain = 'quarter' and period_start = ?",
        [start],
    )
    return {account: tuple(rest) for account, *rest in rows}


def _account_health_segment(built: Built, start: date, dimension: str, value: str) -> dict:
    return built.record(
        "select accounts, answering_accounts, promoter_accounts, passive_accounts, detractor_accounts,"
        " respondents, arr_eur, arr_at_risk_eur, arr_answered_recently_eur, account_weighted_nps,"
        " arr_weighted_nps, arr_at_risk_pct, revenue_coverage_pct from mart_account_health_by_segment"
        " where period_grain = 'quarter' and period_start = ?"
        " and segment_dimension = ? and segment_value = ?",
        [start, dimension, value],
    )


def test_crm_labels_account_health_per_account(crm_labels: Built) -> None:
    """A1's two respondents average 8 (passive) while its decision maker says 10; A2 and A6 churned in Q2
    (ARR 0) but keep their rows for their answers."""
    d = Decimal
    assert _account_health(crm_labels, Q2) == {
        "A1": (2, 8.0, "passive", "promoter", d("100000.00"), 81, True),
        "A2": (1, 9.0, "promoter", "promoter", d("0.00"), 79, True),
        "A3": (1, 7.0, "passive", "passive", d("100000.00"), 76, True),
        "A4": (1, 3.0, "detractor", "detractor", d("24000.00"), 59, True),
        "A5": (1, 9.0, "promoter", "promoter", d("25000.00"), 55, True),
        "A6": (1, 10.0, "promoter", "promoter", d("0.00"), 40, True),
        "A7": (1, 8.0, "passive", "passive", d("5000.00"), 19, True),
    }


def test_crm_labels_account_health_company_and_tiers(crm_labels: Built) -> None:
    company = _account_health_segment(crm_labels, Q2, "all", "all")
    assert (
        company["accounts"], company["answering_accounts"], company["promoter_accounts"],
        company["passive_accounts"], company["detractor_accounts"], company["respondents"],
    ) == (7, 7, 3, 3, 1, 8)  # fmt: skip
    assert company["arr_eur"] == Decimal("254000.00")
    assert company["arr_at_risk_eur"] == Decimal("24000.00")
    assert company["account_weighted_nps"] == pytest.approx(28.571429, abs=1e-6)
    assert company["arr_weighted_nps"] == pytest.approx(0.393701, abs=1e-6)
    assert company["arr_at_risk_pct"] == pytest.approx(9.448819, abs=1e-6)
    assert company["revenue_coverage_pct"] == pytest.approx(100.0)

    growth = _account_health_segment(crm_labels, Q2, "tier", "Growth")
    assert growth["account_weighted_nps"] == pytest.approx(0.0)
    assert growth["arr_weighted_nps"] == pytest.approx(2.040816, abs=1e-6)
    assert growth["arr_at_risk_pct"] == pytest.approx(48.979592, abs=1e-6)
    key_account = _account_health_segment(crm_labels, Q2, "tier", "Key Account")
    assert key_account["account_weighted_nps"] == pytest.approx(33.333333, abs=1e-6)
    assert key_account["arr_weighted_nps"] == pytest.approx(0.0)
    self_serve = _account_health_segment(crm_labels, Q2, "tier", "Self-serve")
    assert self_serve["account_weighted_nps"] == pytest.approx(100.0)
    assert self_serve["arr_weighted_nps"] is None and self_serve["revenue_coverage_pct"] is None


def test_crm_labels_account_health_running_quarter_coverage_gap(crm_labels: Built) -> None:
    """No NPS answer yet in Q3: the five accounts with ARR have rows without a category, and A1 (96 days) and
    A3 (91 days) fall out of the 90 days ending on the as-of day."""
    accounts = _account_health(crm_labels, Q3)
    assert {account: (row[2], row[5], row[6]) for account, row in accounts.items()} == {
        "A1": (None, 96, False),
        "A3": (None, 91, False),
        "A4": (None, 74, True),
        "A5": (None, 70, True),
        "A7": (None, 34, True),
    }
    company = _account_health_segment(crm_labels, Q3, "all", "all")
    assert (company["accounts"], company["answering_accounts"]) == (5, 0)
    assert company["account_weighted_nps"] is None
    assert company["arr_answered_recently_eur"] == Decimal("54000.00")
    assert company["revenue_coverage_pct"] == pytest.approx(21.259843, abs=1e-6)


# ------------------------------------------------ 2 + 3. survey_tool_new_values (incl. deleted contacts)


@pytest.fixture(scope="module")
def survey_tool(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("survey_tool_new_values")
    return build_export(FIXTURES / "survey_tool_new_values", work)


def _touchpoints(built: Built, mart: str, positive: str, share: str) -> dict[str, tuple]:
    rows = built.rows(
        f"select touchpoint, journey_position, responses, {positive}, {share}, mean_score_pct from {mart} "
        "where period_grain = 'quarter' and period_start = ?",
        [Q2],
    )
    return {touchpoint: tuple(rest) for touchpoint, *rest in rows}


def test_new_touchpoint_counts_every_csat_and_ces_answer(survey_tool: Built) -> None:
    csat = _touchpoints(survey_tool, "mart_csat_by_touchpoint", "satisfied", "csat")
    assert set(csat) == {"implementation", "support", "all"}
    assert csat["implementation"] == pytest.approx((6, 4, 2, 50.0, 62.5))
    assert csat["support"] == pytest.approx((3, 2, 2, 100.0, 87.5))
    assert csat["all"] == pytest.approx((0, 6, 4, 4 / 6 * 100, (250 + 175) / 6))
    ces = _touchpoints(survey_tool, "mart_ces_by_touchpoint", "positive", "ces")
    assert set(ces) == {"implementation", "support", "all"}
    assert ces["implementation"] == pytest.approx((6, 4, 3, 75.0, 16 / 24 * 100))
    assert ces["support"] == pytest.approx((3, 2, 1, 50.0, 62.5))
    assert ces["all"] == pytest.approx((0, 6, 4, 4 / 6 * 100, (16 / 24 * 100 * 4 + 62.5 * 2) / 6))
    positions = dict(survey_tool.rows("select touchpoint, journey_position from dim_touchpoints"))
    assert positions["implementation"] > max(
        position for touchpoint, position in positions.items() if touchpoint in ("onboarding", "relationship")
    )
    assert positions["implementation"] == 6 and positions["unknown"] == 7


def test_deleted_contacts_count_under_unknown_segments(survey_tool: Built) -> None:
    assert_nps(nps_rows(survey_tool, "quarter", Q2, "all")["all"], 6, 4, 1, 1, (4 - 1) / 6 * 100)
    assert nps_band(survey_tool, Q2) == "very_good"  # 50 <= 50 < 70 (seed nps_bands)
    assert_nps(nps_rows(survey_tool, "quarter", Q2, "touchpoint")["relationship"], 6, 4, 1, 1, 50.0)
    tiers = nps_rows(survey_tool, "quarter", Q2, "tier")
    assert_nps(tiers["unknown"], 3, 2, 1, 0, 2 / 3 * 100)
    assert_nps(tiers["strategic"], 1, 1, 0, 0, 100.0)
    assert_nps(tiers["key"], 1, 0, 0, 1, -100.0)
    assert_nps(tiers["standard"], 1, 1, 0, 0, 100.0)
    for dimension in ("industry", "region", "employee_band"):
        assert_nps(nps_rows(survey_tool, "quarter", Q2, dimension)["unknown"], 3, 2, 1, 0, 2 / 3 * 100)
    responses = {row[0]: row[1:] for row in survey_tool.rows(
        "select response_id, contact_id, account_id from fct_survey_responses"
    )}  # fmt: skip
    assert responses["RI4"] == ("C8", "-1") and responses["RR5"] == ("C9", "-1")
    assert responses["RS2"] == ("C2", "A1")  # its contact's unknown decision-maker flag costs nothing
    assert responses["RR6"] == ("-1", "-1")  # an open-link response without a contact


def test_deleted_contacts_are_listed_as_orphans(survey_tool: Built) -> None:
    orphans = set(
        survey_tool.rows(
            "select source_table, record_key, reference_column, missing_key, parent_table "
            "from fct_orphaned_rows"
        )
    )
    assert orphans == {
        ("survey_invitations", "I4", "contact_id", "C8", "contacts"),
        ("survey_invitations", "I10", "contact_id", "C8", "contacts"),
        ("survey_invitations", "I11", "contact_id", "C9", "contacts"),
        ("survey_responses", "RI4", "contact_id", "C8", "contacts"),
        ("survey_responses", "RR4", "contact_id", "C8", "contacts"),
        ("survey_responses", "RR5", "contact_id", "C9", "contacts"),
        ("support_tickets", "T2", "contact_id", "C9", "contacts"),
    }
    inferred = survey_tool.rows(
        "select contact_id, account_id from dim_contacts where is_inferred_member order by contact_id"
    )
    assert inferred == [("C8", "-1"), ("C9", "-1")]


def test_survey_tool_quarantine_and_codes(survey_tool: Built) -> None:
    assert quarantined(survey_tool) == {
        ("survey_answers", "RS1|QR1", "unknown_reference", 23),
    }
    details = {key: (column, detail) for key, column, detail in survey_tool.rows(
        "select record_key, quarantine_column, quarantine_detail from fct_quarantined_rows"
    )}  # fmt: skip
    assert details["RS1|QR1"] == ("question_id", "the question belongs to another survey than the response")
    assert_other_tables_clean(
        reconciliation(survey_tool),
        {
            "survey_invitations": (11, 11, 0, 3),
            "survey_responses": (12, 12, 0, 3),
            "survey_answers": (22, 21, 1, 0),
            "support_tickets": (2, 2, 0, 1),
            "feedback_cases": (1, 1, 0, 0),
        },
    )
    assert survey_tool.rows("select case_id, outcome from int_feedback_cases__checked") == [
        ("FC1", "unknown")
    ]
    metrics = dict(survey_tool.rows("select question_id, metric from dim_survey_questions"))
    assert metrics["QI1"] == "csat" and metrics["QI2"] == "ces"
    # 'vet ikke' is no boolean the seed knows: C2 stays valid, its flag unknown, the spelling listed.
    assert survey_tool.rows("select is_decision_maker from dim_contacts where contact_id = 'C2'") == [(None,)]
    assert survey_tool.rows(
        "select shown_as, is_new_value from mart_label_values "
        "where source_column = 'is_decision_maker' and spelling = 'vet ikke'"
    ) == [(None, True)]


def test_new_channel_and_response_languages(survey_tool: Built) -> None:
    languages = dict(survey_tool.rows("select response_id, language from fct_survey_responses"))
    assert languages == {
        "RI1": "en", "RI2": "no", "RI3": "no", "RI4": "no", "RS1": "en", "RS2": "da",
        "RR1": "en", "RR2": "no", "RR3": "no", "RR4": "no", "RR5": "en", "RR6": "en",
    }  # fmt: skip
    channels = {
        spelling: (shown_as, row_count, is_new)
        for spelling, shown_as, row_count, is_new in survey_tool.rows(
            "select spelling, shown_as, row_count, is_new_value from mart_label_values "
            "where source_table = 'survey_invitations' and source_column = 'channel'"
        )
    }
    assert channels == {
        "WhatsApp": ("WhatsApp", 5, True),
        "whatsapp": ("WhatsApp", 1, True),
        "E-mail": ("email", 3, False),
        "Email": ("email", 1, False),
        "SMS": ("sms", 1, False),
    }
    touchpoints = dict(
        survey_tool.rows(
            "select spelling, shown_as from mart_label_values where source_column = 'touchpoint'"
        )
    )
    assert touchpoints == {
        "implementation": "implementation", "Customer Support": "support", "Relationship": "relationship"
    }  # fmt: skip


# ----------------------------------------------------------------------------------- 4. contract_amounts


@pytest.fixture(scope="module")
def contracts(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("contract_amounts")
    return build_export(FIXTURES / "contract_amounts", work)


def test_formatted_arr_parses_and_na_is_quarantined(contracts: Built) -> None:
    arr = {
        row[0]: row[1:]
        for row in contracts.rows("select contract_id, arr, currency, arr_eur from fct_contracts")
    }
    assert arr == {
        "K1": (Decimal("461100.00"), "EUR", Decimal("461100.00")),
        "K2": (Decimal("80000.00"), "EUR", Decimal("80000.00")),
        "K3": (Decimal("200000.00"), "DKK", Decimal("26820.00")),
        "K4": (Decimal("60000.00"), "EUR", Decimal("60000.00")),
        "K5": (Decimal("40000.00"), "EUR", Decimal("40000.00")),
    }
    assert quarantined(contracts) == {
        ("contracts", "K2B", "unparseable_value", 4),
        ("invoices", "V9", "unknown_currency", 10),
        ("churn_events", "A3", "future_timestamp", 3),
    }
    columns = dict(contracts.rows("select record_key, quarantine_column from fct_quarantined_rows"))
    assert columns == {"K2B": "arr", "V9": "currency", "A3": "churned_at"}
    assert contracts.rows("select account_id, reason_category from fct_churn_events") == [("A4", "other")]


def test_bad_contract_makes_its_account_incomplete_not_churned(contracts: Built) -> None:
    assert_churn(
        churn_row(contracts, Q2),
        accounts_start=3, new_accounts=1, churned_accounts=1, accounts_end=3, churn_events_recorded=1,
        logo_churn_rate=1 / 3 * 100, crr=(3 - 1) / 3 * 100,
        arr_start=547920, arr_new=40000, arr_expansion=0, arr_contraction=0, arr_churned=60000,
        arr_end=527920,
        grr=487920 / 547920 * 100, nrr=487920 / 547920 * 100,
        incomplete_accounts=1, incomplete_accounts_start=1, incomplete_accounts_end=0,
        incomplete_arr_start=80000, incomplete_arr_end=0,
    )  # fmt: skip
    assert_churn(
        churn_row(contracts, Q1),
        accounts_start=4, churned_accounts=0, accounts_end=4, incomplete_accounts=0, arr_start=627920,
        logo_churn_rate=0.0, grr=100.0,
    )  # fmt: skip
    q3 = churn_row(contracts, date(2024, 7, 1))  # the running quarter: A3's future churn concerns no period
    assert (q3["incomplete_accounts"], q3["accounts_start"], q3["accounts_end"]) == (1, 3, 3)
    assert_churn(
        churn_row(contracts, Q2, "tier", "strategic"),
        accounts_start=1, churned_accounts=0, accounts_end=1, logo_churn_rate=0.0, incomplete_accounts=1,
    )  # fmt: skip


def test_clv_is_null_for_accounts_with_quarantined_revenue(contracts: Built) -> None:
    clv = {
        row["account_id"]: row
        for row in contracts.records(
            "select account_id, invoices, clv_eur, expected_lifetime_years, is_revenue_incomplete, "
            "quarantined_revenue_rows from mart_clv"
        )
    }
    assert clv["A1"]["clv_eur"] == Decimal("6897602.46")  # 115,275 x 3 x 365 / 183 x 10
    assert float(clv["A1"]["expected_lifetime_years"]) == 10
    assert clv["A4"]["clv_eur"] == Decimal("72039.47")  # 15,000 x 3 x 365 / 228 x 1
    assert float(clv["A4"]["expected_lifetime_years"]) == 1
    for account in ("A2", "A3"):
        assert clv[account]["clv_eur"] is None, account
        assert clv[account]["is_revenue_incomplete"] and clv[account]["quarantined_revenue_rows"] == 1
    assert clv["A2"]["invoices"] == 2 and clv["A3"]["invoices"] == 0
    assert not clv["A1"]["is_revenue_incomplete"] and not clv["A4"]["is_revenue_incomplete"]


# ------------------------------------------------------------- 5 + 8. survey_reexport (and broken lines)


@pytest.fixture(scope="module")
def reexport(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("survey_reexport")
    return build_export(FIXTURES / "survey_reexport", work, extra_vars={"quarantine_error_pct": 40})


def test_reexport_counts_each_answer_once(reexport: Built) -> None:
    assert_nps(nps_rows(reexport, "quarter", Q2, "all")["all"], 8, 4, 2, 2, (4 - 2) / 8 * 100)
    scores = dict(reexport.rows("select response_id, score from fct_survey_answers where question_id = 'Q1'"))
    assert scores == {"R1": 6, "R2": 10, "R3": 8, "R5": 10, "R6": 7, "R7": 6, "R8": 9, "R10": 10}
    responses = {row[0]: row[1:] for row in reexport.rows(
        "select response_id, submitted_at, language from fct_survey_responses"
    )}  # fmt: skip
    assert sorted(responses) == ["R1", "R10", "R2", "R3", "R5", "R6", "R7", "R8"]
    assert responses["R6"] == (datetime(2024, 5, 15, 12, 30), "en")  # the newer copy, earlier in the file


def test_reexport_quarantine_holds_the_right_reasons(reexport: Built) -> None:
    assert quarantined(reexport) == {
        ("survey_answers", "R1|Q1", "conflicting_duplicate", 2),
        ("survey_answers", "R2|Q1", "conflicting_duplicate", 5),
        ("survey_answers", "R3|Q1", "duplicate_row", 6),
        ("survey_answers", "R4|Q1", "double_submission", 7),
        ("survey_answers", "R4|Q2", "double_submission", 8),
        ("survey_answers", "line 11", "malformed_line", 11),
        ("survey_answers", "line 13", "malformed_line", 13),
        ("survey_answers", "R1|Q3", "unknown_reference", 19),
        ("survey_answers", "R2|Q3", "unknown_reference", 20),
        ("survey_questions", "Q3", "invalid_category", 4),
        ("survey_responses", "R4", "double_submission", 5),
        ("survey_responses", "R8", "duplicate_row", 9),
        ("survey_responses", "R6", "conflicting_duplicate", 11),
        ("survey_answers", "R5|Q2", "empty_answer", 22),
    }
    details = dict(reexport.rows("select record_key, quarantine_detail from fct_quarantined_rows"))
    # quarantine_detail shows the values that lost (seed quarantine_reasons), and who replaced a double click.
    assert "score 9" in details["R1|Q1"] and "score 8" in details["R2|Q1"]
    assert "12:10" in details["R6"]
    assert "R5" in details["R4"]
    assert details["R4|Q1"] == "its survey_responses row R4 is a double_submission"
    assert_other_tables_clean(
        reconciliation(reexport),
        {
            "survey_answers": (20, 10, 10, 0),
            "survey_responses": (11, 8, 3, 0),
            "survey_questions": (3, 2, 1, 0),
        },
    )


def test_malformed_lines_are_quarantined_and_the_next_lines_kept(reexport: Built) -> None:
    details = dict(
        reexport.rows(
            "select record_key, quarantine_detail from fct_quarantined_rows "
            "where quarantine_reason = 'malformed_line'"
        )
    )
    assert (
        details["line 11"].startswith("a quoted value is not closed")
        and "Great service" in details["line 11"]
    )
    assert details["line 13"].startswith("5 fields where the header has 4")
    kept = set(reexport.rows("select response_id, question_id from fct_survey_answers"))
    assert {("R7", "Q1"), ("R8", "Q1"), ("R8", "Q2")} <= kept  # lines 12, 14 and 18
    comment = reexport.rows(
        "select answer_text from fct_survey_answers where response_id = 'R1' and question_id = 'Q2'"
    )
    assert comment == [("Quick onboarding,\nfriendly team",)]


# ---------------------------------------------------------------- 6. nordic_excel (and 9. hostile paths)

NORDIC_VARS = {"time_zone": "Europe/Copenhagen"}


@pytest.fixture(scope="module")
def nordic(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("nordic_excel")
    return build_export(FIXTURES / "nordic_excel", work, **NORDIC_VARS)


def test_nordic_answer_at_half_past_midnight_counts_in_april(nordic: Built) -> None:
    assert_nps(nps_rows(nordic, "quarter", Q1, "all")["all"], 1, 1, 0, 0, 100.0)
    assert_nps(nps_rows(nordic, "quarter", Q2, "all")["all"], 3, 1, 1, 1, 0.0)
    assert_nps(nps_rows(nordic, "month", Q2, "all")["all"], 1, 0, 0, 1, -100.0)
    assert_nps(nps_rows(nordic, "month", date(2024, 3, 1), "all")["all"], 1, 1, 0, 0, 100.0)
    assert_nps(nps_rows(nordic, "month", date(2024, 7, 1), "all")["all"], 1, 1, 0, 0, 100.0)  # R6, 23:50
    assert_nps(nps_rows(nordic, "year", Q1, "all")["all"], 5, 3, 1, 1, (3 - 1) / 5 * 100)
    response = nordic.record(
        "select submitted_at, submitted_date, submitted_month from fct_survey_responses "
        "where response_id = 'R2'"
    )
    assert response == {
        "submitted_at": datetime(2024, 3, 31, 22, 30),
        "submitted_date": date(2024, 4, 1),
        "submitted_month": date(2024, 4, 1),
    }
    first = nordic.rows("select submitted_at from fct_survey_responses where response_id = 'R1'")
    assert first == [(datetime(2024, 3, 4, 9, 15),)]


def test_nordic_half_past_midnight_after_the_as_of_day_is_in_the_future(nordic: Built) -> None:
    assert quarantined(nordic) == {
        ("survey_responses", "R5", "future_timestamp", 6),
        ("survey_answers", "R5|Q1", "unknown_reference", 17),
    }
    assert_other_tables_clean(
        reconciliation(nordic), {"survey_responses": (6, 5, 1, 0), "survey_answers": (16, 15, 1, 0)}
    )
    last = nordic.rows(
        "select submitted_at, submitted_date from fct_survey_responses where response_id = 'R6'"
    )
    assert last == [(datetime(2024, 7, 15, 21, 50), date(2024, 7, 15))]


def test_nordic_csi_with_decimal_comma_weights(nordic: Built) -> None:
    csi = {
        (grain, start): (responses, value)
        for grain, start, responses, value in nordic.rows(
            "select period_grain, period_start, responses, csi from mart_csi"
        )
    }
    assert csi[("quarter", Q1)] == pytest.approx((1, 6.6 / 9 * 100))
    assert csi[("quarter", Q2)] == pytest.approx((3, 19.2 / 27 * 100))
    assert csi[("month", Q2)] == pytest.approx((1, 4.4 / 9 * 100))
    weights = dict(
        nordic.rows("select question_id, csi_weight from dim_survey_questions where metric = 'csi_item'")
    )
    assert weights == pytest.approx({"Q2": 0.6, "Q3": 0.4})


def test_nordic_amounts_dates_and_churn(nordic: Built) -> None:
    found = {row[0]: row[1:] for row in nordic.rows(
        "select contract_id, arr, currency, arr_eur, start_date, end_date from fct_contracts"
    )}  # fmt: skip
    assert found == {
        "K1": (Decimal("126600.00"), "DKK", Decimal("16977.06"), date(2023, 1, 1), None),
        "K2": (Decimal("45000.00"), "EUR", Decimal("45000.00"), date(2023, 2, 1), date(2024, 4, 30)),
        "K3": (Decimal("1250000.00"), "NOK", Decimal("106500.00"), date(2024, 3, 1), None),
    }
    assert set(nordic.rows("select invoice_id, invoice_date, amount from fct_invoices")) == {
        ("F1", date(2024, 1, 15), Decimal("31650.00")),
        ("F2", date(2024, 4, 15), Decimal("31650.00")),
        ("F3", date(2024, 4, 20), Decimal("-1000.50")),
    }
    assert_churn(
        churn_row(nordic, Q2),
        accounts_start=3, new_accounts=0, churned_accounts=1, accounts_end=2, logo_churn_rate=1 / 3 * 100,
        arr_start=168477.06, arr_churned=45000, arr_end=123477.06,
        grr=123477.06 / 168477.06 * 100, nrr=123477.06 / 168477.06 * 100,
    )  # fmt: skip


def test_nordic_text_encodings_and_labels(nordic: Built) -> None:
    accounts = {row[0]: row[1:] for row in nordic.rows(
        "select account_id, account_name, region, country_code, created_at from dim_accounts"
    )}  # fmt: skip
    assert accounts["A1"] == ("Ærø Møbler A/S", "Nordics", "DK", datetime(2023, 1, 15, 8, 0))
    assert accounts["A2"][:3] == ("Bodø Fisk AS", "Nordics", "NO")
    contacts = {row[0]: row[1:] for row in nordic.rows(
        "select contact_id, full_name, is_decision_maker from dim_contacts"
    )}  # fmt: skip
    # Names are personal data: the warehouse holds their pseudonyms, decoded from cp1252 first.
    assert contacts["C1"] == (pseudonym("Søren Østergård", pii_key()), True)
    assert contacts["C2"] == (pseudonym("Åse Bø", pii_key()), False)
    assert contacts["C3"] == (pseudonym("Øystein Hæhre", pii_key()), True)
    assert nordic.rows("select survey_name from dim_surveys") == [("Relationsundersøgelse 2024",)]
    texts = dict(
        nordic.rows("select response_id, answer_text from fct_survey_answers where answer_text is not null")
    )
    assert texts["R1"] == "Godt samarbejde; men prisen er høj (12.000 € om året)"
    assert texts["R2"].startswith("Support svarer for langsomt.") and texts["R2"].endswith("dage på svar.")
    assert "\n" in texts["R2"]
    languages = dict(nordic.rows("select response_id, language from fct_survey_responses"))
    assert languages == {"R1": "da", "R2": "no", "R3": "no", "R4": "da", "R6": "no"}
    report = json.loads((nordic.settings.landing_dir / "_load_report.json").read_text(encoding="utf-8"))
    read_as = {name: (table["encoding"], table["delimiter"], table["decimal_mark"])
               for name, table in report["tables"].items()}  # fmt: skip
    assert read_as["accounts"] == ("utf-8", ";", ",") and read_as["surveys"] == ("utf-8", ";", ",")
    assert read_as["contacts"] == ("cp1252", ";", ",") and read_as["survey_answers"] == ("cp1252", ";", ",")


#: What the hostile-path build must reproduce exactly (every row, every column; nordic_excel has no CSAT/CES).
COMPARED = (
    "mart_nps_by_segment", "mart_csi", "mart_churn",
    "mart_clv", "mart_raw_reconciliation", "fct_quarantined_rows", "fct_orphaned_rows", "mart_label_values",
    "dim_accounts", "dim_contacts", "fct_contracts", "fct_invoices", "fct_survey_responses",
    "fct_survey_answers",
)  # fmt: skip


@pytest.fixture(scope="module")
def nordic_hostile(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The nordic_excel export copied into a raw folder and built into a database folder whose names hold a
    quote, braces and a would-be SQL injection."""
    work = tmp_path_factory.mktemp("hostile")
    raw_dir = work.joinpath(*HOSTILE_NAMES)
    shutil.copytree(FIXTURES / "nordic_excel", raw_dir)
    database = work.joinpath(*reversed(HOSTILE_NAMES), "cx.duckdb")
    return build_export(raw_dir, work, database=database, **NORDIC_VARS)


def test_hostile_folder_names_give_the_same_figures(nordic: Built, nordic_hostile: Built) -> None:
    assert nordic_hostile.settings.database.is_file()
    assert nordic_hostile.settings.database.parent.name == HOSTILE_NAMES[0]
    report = json.loads(
        (nordic_hostile.settings.landing_dir / "_load_report.json").read_text(encoding="utf-8")
    )
    assert report["tables"]["accounts"]["file"] == str(nordic_hostile.settings.raw_dir / "accounts.csv")
    for table in COMPARED:
        plain = nordic.rows(f"select * from {table} order by all")
        assert plain or table == "fct_orphaned_rows", table  # the export has no orphan
        assert nordic_hostile.rows(f"select * from {table} order by all") == plain, table
    assert read_headline(nordic_hostile.settings.database, AS_OF) == read_headline(
        nordic.settings.database, AS_OF
    )


# -------------------------------------------------------------------------- 7. mostly_bad_scores (CLI)


@dataclass(frozen=True)
class CliRun:
    code: int
    stdout: str
    stderr: str
    database: Path


def build_bad_scores(work: Path, *options: str) -> CliRun:
    """`cxw build` of the mostly_bad_scores export with further command-line options."""
    database = work / "cx.duckdb"
    stdout, stderr = io.StringIO(), io.StringIO()
    arguments = ["build", "--raw-dir", str(FIXTURES / "mostly_bad_scores"), "--database", str(database),
                 "--as-of", AS_OF.isoformat(), *options]  # fmt: skip
    with pytest.MonkeyPatch.context() as monkeypatch, redirect_stdout(stdout), redirect_stderr(stderr):
        _dbt_environment(monkeypatch, work)
        code = main(arguments)
    return CliRun(code, stdout.getvalue(), stderr.getvalue(), database)


@pytest.fixture(scope="module")
def bad_scores_cli(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    return build_bad_scores(tmp_path_factory.mktemp("mostly_bad_scores"))


def test_mostly_bad_table_fails_the_build_naming_table_and_cause(bad_scores_cli: CliRun) -> None:
    message = (
        "survey_answers: 81.8 % of rows quarantined, above 10 %: "
        "unparseable_value in score (8), out_of_scale in score (1)"
    )
    assert bad_scores_cli.code == 1
    assert f"cxw: the build found errors: {message}\n" in bad_scores_cli.stderr
    assert f"ERROR {message}" in bad_scores_cli.stdout
    # The data-quality section names this table and no other.
    errors = [
        line.strip() for line in bad_scores_cli.stdout.splitlines() if line.strip().startswith("ERROR ")
    ]
    assert errors == [f"ERROR {message}"]
    # Nothing was published; the failed build is kept beside the warehouse for inspection.
    assert not bad_scores_cli.database.exists()
    assert f"Not published: {bad_scores_cli.database} is as it was" in bad_scores_cli.stdout
    failed = Night(bad_scores_cli.database).failed
    built = Built(BuildSettings(raw_dir=FIXTURES / "mostly_bad_scores", database=failed))
    assert_nps(nps_rows(built, "quarter", Q2, "all")["all"], 2, 1, 0, 1, 0.0)
    reasons = built.rows(
        "select quarantine_reason, quarantine_column, count(*) from fct_quarantined_rows group by all"
    )
    assert sorted(reasons) == [("out_of_scale", "score", 1), ("unparseable_value", "score", 8)]


def test_a_var_on_the_command_line_raises_the_threshold(tmp_path: Path) -> None:
    """The same export with --var quarantine_error_pct=90: 81.8 % is now a warning, and the build passes."""
    run = build_bad_scores(tmp_path, "--var", "quarantine_error_pct=90")
    assert run.code == 0, run.stderr
    assert (
        "WARNING survey_answers: 81.8 % of rows quarantined, above 1 %: "
        "unparseable_value in score (8), out_of_scale in score (1)"
    ) in run.stdout
