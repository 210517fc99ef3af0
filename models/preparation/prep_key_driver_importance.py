"""The key driver analysis fitted on prep_key_driver_moments: per reported year x survey x segment and driver, its
correlation with the NPS score and its LMG / Shapley share of R2 (a thin call into
cx_warehouse.analytics.key_drivers; the SQL mart mart_key_drivers types and documents them). It reads the
co-moments only, never a response row.

The minimum number of responses comes from a var through this model's YAML config. dbt-spark's session method
cannot run Python models: the model is disabled on Spark (YAML config)."""

from cx_warehouse.analytics.key_drivers import driver_importance

GROUP_COLUMNS = ["period_grain", "period_start", "survey_id", "segment_dimension", "segment_value"]


def model(dbt, session):
    dbt.config(materialized="table")
    return driver_importance(
        dbt.ref("prep_key_driver_moments").df(),
        GROUP_COLUMNS,
        min_responses=int(dbt.config.get("key_drivers_min_responses")),
    )
