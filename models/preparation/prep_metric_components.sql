{#- Every metric of the cascade as additive components in one long relation: per period_grain x period_start
    x metric_code x touchpoint x account segment, a numerator, a denominator and the sample the figure rests
    on. A metric at any grain is sum(numerator) * value_scale / sum(denominator), so seed metric_cascade picks
    metrics by code and the marts need no SQL per metric. -#}

with survey_components as (
    select * from {{ ref('prep_metric_components__survey') }}
),

revenue_components as (
    select * from {{ ref('prep_metric_components__revenue') }}
),

operations_components as (
    select * from {{ ref('prep_metric_components__operations') }}
),

closed_loop_components as (
    select * from {{ ref('prep_metric_components__closed_loop') }}
),

final as (
    select * from survey_components
    union all
    select * from revenue_components
    union all
    select * from operations_components
    union all
    select * from closed_loop_components
)

select * from final
