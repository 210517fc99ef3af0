{#- CSAT per period and touchpoint, plus touchpoint 'all' (every touchpoint together): the share of
    satisfied answers (top box per seed scale_cutoffs) and the mean score on 0-100 beside it. The 'all'
    row sums the same additive counts as the touchpoint rows, so it re-aggregates cleanly; BI must not
    add it to them. -#}
{%- set measures = ['responses', 'satisfied', 'score_pct_sum'] -%}

with monthly_scores as (
    select * from {{ ref('int_survey_scores__monthly') }}
),

reporting_periods as (
    select * from {{ ref('int_reporting_periods') }}
),

csat_monthly as (
    select
        submitted_month,
        touchpoint,
        answers as responses,
        positive_answers as satisfied,
        score_pct_sum
    from monthly_scores
    where metric = 'csat'
),

periods as (
    {{ rollup_months_to_periods('csat_monthly', 'submitted_month', ['touchpoint'], measures) }}
),

{# The shared reporting calendar decides which periods are reported, as in every metric mart. #}
reported_periods as (
    select periods.*
    from periods
    inner join reporting_periods
        on periods.period_grain = reporting_periods.period_grain
            and periods.period_start = reporting_periods.period_start
),

touchpoints as (
    {{ rollup_segments('reported_periods', ['period_grain', 'period_start'], ['touchpoint'], measures) }}
),

counted as (
    select
        period_grain,
        period_start,
        segment_value as touchpoint,
        cast(responses as {{ dbt.type_bigint() }}) as responses,
        cast(satisfied as {{ dbt.type_bigint() }}) as satisfied,
        score_pct_sum
    from touchpoints
),

final as (
    select
        period_grain,
        period_start,
        touchpoint,
        responses,
        satisfied,
        cast(satisfied as {{ type_double() }}) * 100 / nullif(responses, 0) as csat,
        score_pct_sum,
        score_pct_sum / nullif(responses, 0) as mean_score_pct
    from counted
)

select * from final
