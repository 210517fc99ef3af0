{#- The body of mart_csat_by_touchpoint and mart_ces_by_touchpoint, which differ only in the metric and the
    names of the positive count and the share: per period and touchpoint, plus touchpoint 'all' (every
    touchpoint together), the positive answers, their share x 100 and the mean score on 0-100, and the
    touchpoint's journey_position (dim_touchpoints; 0 for 'all'). Only additive counts are rolled up; the
    share and the mean are computed last. -#}
{% macro touchpoint_score_mart(metric, positive_column, share_column) -%}
{%- set measures = ['responses', positive_column, 'score_pct_sum'] -%}

with monthly_scores as (
    select * from {{ ref('prep_survey_scores__monthly') }}
),

reporting_periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

touchpoint_stages as (
    select * from {{ ref('dim_touchpoints') }}
),

metric_monthly as (
    select
        submitted_month,
        touchpoint,
        answers as responses,
        positive_answers as {{ positive_column }},
        score_pct_sum
    from monthly_scores
    where metric = '{{ metric }}'
),

periods as (
    {{ rollup_months_to_periods('metric_monthly', 'submitted_month', ['touchpoint'], measures) }}
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
        cast({{ positive_column }} as {{ dbt.type_bigint() }}) as {{ positive_column }},
        score_pct_sum
    from touchpoints
),

final as (
    select
        counted.period_grain,
        counted.period_start,
        counted.touchpoint,
        cast(
            case when counted.touchpoint = 'all' then 0 else touchpoint_stages.journey_position end
            as {{ dbt.type_int() }}
        ) as journey_position,
        counted.responses,
        counted.{{ positive_column }},
        cast(counted.{{ positive_column }} as {{ type_double() }}) * 100
        / nullif(counted.responses, 0) as {{ share_column }},
        counted.score_pct_sum,
        counted.score_pct_sum / nullif(counted.responses, 0) as mean_score_pct
    from counted
    left join touchpoint_stages
        on counted.touchpoint = touchpoint_stages.touchpoint
)

select * from final
{%- endmacro %}
