"""Churn risk of every active account at the as-of day: prep_churn_risk_snapshots' latest snapshots with the
probability of churning within the horizon and the top three reasons beside them, from a logistic regression
refitted on every labelled snapshot (a thin call into cx_warehouse.analytics.churn_risk; the SQL mart
mart_churn_risk types and documents them).

The features are the rows of seed churn_risk_features; the fewest churned snapshots and the regularisation come
from vars through this model's YAML config. dbt-spark's session method cannot run Python models: the model is
disabled on Spark (YAML config)."""

from cx_warehouse.analytics.churn_risk import score_latest_snapshots


def model(dbt, session):
    dbt.config(materialized="table")
    return score_latest_snapshots(
        dbt.ref("prep_churn_risk_snapshots").df(),
        dbt.ref("churn_risk_features").df(),
        min_churned=int(dbt.config.get("churn_risk_min_churned_snapshots")),
        inverse_regularisation=float(dbt.config.get("churn_risk_inverse_regularisation")),
    )
