{#- Churn risk of every active account at the as-of day: the probability of churning within
    var('churn_risk_horizon_days') days from prep_churn_risk_scores (a logistic regression refitted on every
    labelled snapshot), its band from seed churn_risk_bands, the ARR at risk (probability x ARR) and the top
    three reasons, typed for BI with the account's segments (from dim_accounts, through the snapshots). The
    Python model returns pandas types: cast back here. -#}

with scores as (
    select * from {{ ref('prep_churn_risk_scores') }}
),

risk_bands as (
    select * from {{ ref('churn_risk_bands') }}
),

typed as (
    select
        scores.account_id,
        cast(scores.tier as {{ dbt.type_string() }}) as tier,
        cast(scores.industry as {{ dbt.type_string() }}) as industry,
        cast(scores.region as {{ dbt.type_string() }}) as region,
        cast(scores.employee_band as {{ dbt.type_string() }}) as employee_band,
        cast(scores.snapshot_date as date) as snapshot_date,
        cast(scores.arr_eur as {{ type_money() }}) as arr_eur,
        cast(scores.churn_probability as {{ type_double() }}) as churn_probability,
        {%- for rank in range(1, 4) %}
            cast(scores.reason_{{ rank }}_feature as {{ dbt.type_string() }}) as reason_{{ rank }}_feature,
            cast(scores.reason_{{ rank }}_text as {{ dbt.type_string() }}) as reason_{{ rank }}_text,
            cast(scores.reason_{{ rank }}_log_odds as {{ type_double() }}) as reason_{{ rank }}_log_odds,
        {%- endfor %}
        cast(scores.model_status as {{ dbt.type_string() }}) as model_status,
        cast(scores.train_snapshots as {{ dbt.type_bigint() }}) as train_snapshots,
        cast(scores.train_churned_snapshots as {{ dbt.type_bigint() }}) as train_churned_snapshots
    from scores
),

final as (
    select
        typed.account_id,
        typed.tier,
        typed.industry,
        typed.region,
        typed.employee_band,
        typed.snapshot_date,
        cast({{ var('churn_risk_horizon_days') }} as {{ dbt.type_bigint() }}) as horizon_days,
        typed.arr_eur,
        typed.churn_probability,
        risk_bands.risk_band,
        risk_bands.band_order as risk_band_order,
        cast(typed.churn_probability * typed.arr_eur as {{ type_money() }}) as arr_at_risk_eur,
        {%- for rank in range(1, 4) %}
            typed.reason_{{ rank }}_feature,
            typed.reason_{{ rank }}_text,
            typed.reason_{{ rank }}_log_odds,
        {%- endfor %}
        typed.model_status,
        typed.train_snapshots,
        typed.train_churned_snapshots
    from typed
    left join risk_bands
        on
            typed.churn_probability >= risk_bands.probability_from
            and typed.churn_probability < risk_bands.probability_to
)

select * from final
