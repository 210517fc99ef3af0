{#- The body of mart_csat_by_touchpoint and mart_ces_by_touchpoint, which differ only in the metric and
    the names of the positive count and the share: per period and touchpoint, plus touchpoint 'all'
    (every touchpoint together), the positive answers, their share x 100 and the mean score on 0-100.
    Only additive counts are rolled up; the share and the mean are computed last. -#}
{% macro touchpoint_score_mart(metric, positive_column, share_column) -%}
{%- set measures = ['responses', positive_column, 'score_pct_sum'] -%}

with monthly_scores as (
    select * from {{ ref('int_survey_scores__monthly') }}
),

reporting_periods as (
    select * from {{ ref('int_reporting_periods') }}
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
        period_grain,
        period_start,
        touchpoint,
        responses,
        {{ positive_column }},
        cast({{ positive_column }} as {{ type_double() }}) * 100 / nullif(responses, 0) as {{ share_column }},
        score_pct_sum,
        score_pct_sum / nullif(responses, 0) as mean_score_pct
    from counted
)

select * from final
{%- endmacro %}
