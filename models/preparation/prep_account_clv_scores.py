"""BG/NBD and Gamma-Gamma fitted on prep_account_rfm, one row of scores per account (a thin call into
cx_warehouse.analytics.clv_scores; the SQL mart mart_clv_probabilistic types and documents them).

The horizon, the discount rate and the minimum number of accounts come from vars through this model's YAML
config. dbt-spark's session method cannot run Python models: the model is disabled on Spark (YAML config)."""

from cx_warehouse.analytics.clv_scores import RFM_COLUMNS, score_accounts


def model(dbt, session):
    dbt.config(materialized="table")
    rfm = dbt.ref("prep_account_rfm").select(", ".join(RFM_COLUMNS)).df()
    return score_accounts(
        rfm,
        horizon_months=int(dbt.config.get("clv_horizon_months")),
        annual_discount_rate=float(dbt.config.get("clv_annual_discount_rate")),
        min_fit_accounts=int(dbt.config.get("clv_min_fit_accounts")),
    )
