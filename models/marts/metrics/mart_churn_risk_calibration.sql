{#- The calibration table of the churn-risk model's out-of-time test: one row per equal-width probability bin
    (var('churn_risk_calibration_bins')), the additive counts of prep_churn_risk_validation and, computed last,
    the observed churn rate beside the mean predicted probability and the bin's Brier score. -#}

with validation as (
    select * from {{ ref('prep_churn_risk_validation') }}
),

typed as (
    select
        cast(bin_number as {{ dbt.type_bigint() }}) as bin_number,
        cast(probability_from as {{ type_double() }}) as probability_from,
        cast(probability_to as {{ type_double() }}) as probability_to,
        cast(snapshots as {{ dbt.type_bigint() }}) as snapshots,
        cast(churned_snapshots as {{ dbt.type_bigint() }}) as churned_snapshots,
        cast(predicted_probability_sum as {{ type_double() }}) as predicted_probability_sum,
        cast(squared_error_sum as {{ type_double() }}) as squared_error_sum
    from validation
),

final as (
    select
        bin_number,
        probability_from,
        probability_to,
        snapshots,
        churned_snapshots,
        predicted_probability_sum,
        squared_error_sum,
        case when snapshots > 0 then cast(churned_snapshots as {{ type_double() }}) / snapshots end
            as observed_churn_rate,
        case when snapshots > 0 then predicted_probability_sum / snapshots end as mean_predicted_probability,
        case when snapshots > 0 then squared_error_sum / snapshots end as brier_score
    from typed
)

select * from final
