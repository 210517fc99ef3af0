"""BG/NBD and Gamma-Gamma fitted on prep_account_rfm: its rows with their scores beside them, one per account (a
thin call into cx_warehouse.analytics.clv_scores; the SQL mart mart_clv_probabilistic types and documents them).

The horizon, the discount rate and the minimum number of accounts come from vars through this model's YAML
config. dbt-spark's session method cannot run Python models: the model is disabled on Spark (YAML config)."""

from cx_warehouse.analytics.clv_scores import summary_with_scores


def model(dbt, session):
    dbt.config(materialized="table")
    return summary_with_scores(
        dbt.ref("prep_account_rfm").df(),
        horizon_months=int(dbt.config.get("clv_horizon_months")),
        annual_discount_rate=float(dbt.config.get("clv_annual_discount_rate")),
        min_fit_accounts=int(dbt.config.get("clv_min_fit_accounts")),
    )
