{#- The churn-risk model's out-of-time test in one row: the ROC AUC, the Brier score (Brier 1950) beside the
    Brier score of always predicting the test's base rate, the Brier skill score, and the training and test
    windows and sizes. The counts are summed over the calibration bins of prep_churn_risk_validation (which
    repeats the run's figures on every bin) and the ratios computed last. -#}

with validation as (
    select * from {{ ref('prep_churn_risk_validation') }}
),

summed as (
    select
        cast(status as {{ dbt.type_string() }}) as model_status,
        cast(auc as {{ type_double() }}) as auc,
        cast(train_snapshot_from as date) as train_snapshot_from,
        cast(train_snapshot_to as date) as train_snapshot_to,
        cast(train_snapshots as {{ dbt.type_bigint() }}) as train_snapshots,
        cast(train_churned_snapshots as {{ dbt.type_bigint() }}) as train_churned_snapshots,
        cast(test_snapshot_from as date) as test_snapshot_from,
        cast(test_snapshot_to as date) as test_snapshot_to,
        cast(sum(snapshots) as {{ dbt.type_bigint() }}) as test_snapshots,
        cast(sum(churned_snapshots) as {{ dbt.type_bigint() }}) as test_churned_snapshots,
        cast(sum(squared_error_sum) as {{ type_double() }}) as squared_error_sum
    from validation
    group by
        status,
        auc,
        train_snapshot_from,
        train_snapshot_to,
        train_snapshots,
        train_churned_snapshots,
        test_snapshot_from,
        test_snapshot_to
),

rated as (
    select
        *,
        case
            when test_snapshots > 0 then cast(test_churned_snapshots as {{ type_double() }}) / test_snapshots
        end as base_rate,
        case when test_snapshots > 0 then squared_error_sum / test_snapshots end as brier_score
    from summed
),

final as (
    select
        model_status,
        cast({{ var('churn_risk_horizon_days') }} as {{ dbt.type_bigint() }}) as horizon_days,
        train_snapshot_from,
        train_snapshot_to,
        train_snapshots,
        train_churned_snapshots,
        test_snapshot_from,
        test_snapshot_to,
        test_snapshots,
        test_churned_snapshots,
        base_rate,
        auc,
        case when model_status = 'ok' then brier_score end as brier_score,
        base_rate * (1 - base_rate) as base_rate_brier_score,
        case
            when model_status = 'ok' and base_rate > 0 and base_rate < 1
                then 1 - brier_score / (base_rate * (1 - base_rate))
        end as brier_skill_score
    from rated
)

select * from final
