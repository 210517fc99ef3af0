"""Out-of-time validation of the churn-risk model: fitted on the snapshots whose label was known before the
test period, scored on the labelled snapshots of the latest var('churn_risk_test_months') snapshot days; one
row per probability bin of the calibration table with the AUC and the windows repeated (a thin call into
cx_warehouse.analytics.churn_risk; the SQL marts mart_churn_risk_validation and mart_churn_risk_calibration type
and document them).

The features are the rows of seed churn_risk_features; the test months, the bins, the fewest churned snapshots
and the regularisation come from vars through this model's YAML config. dbt-spark's session method cannot run
Python models: the model is disabled on Spark (YAML config)."""

from cx_warehouse.analytics.churn_risk import validate_out_of_time


def model(dbt, session):
    dbt.config(materialized="table")
    return validate_out_of_time(
        dbt.ref("prep_churn_risk_snapshots").df(),
        dbt.ref("churn_risk_features").df(),
        test_months=int(dbt.config.get("churn_risk_test_months")),
        bins=int(dbt.config.get("churn_risk_calibration_bins")),
        min_churned=int(dbt.config.get("churn_risk_min_churned_snapshots")),
        inverse_regularisation=float(dbt.config.get("churn_risk_inverse_regularisation")),
    )
