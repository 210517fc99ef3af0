{#- The body of mart_csat_by_touchpoint and mart_ces_by_touchpoint, which differ only in the metric and the
    names of the positive count and the share: per period and touchpoint, plus touchpoint 'all' (every
    touchpoint together), the positive answers, their share x 100 and the mean score on 0-100, and the
    touchpoint's journey_position (dim_touchpoints; 0 for 'all'). Only additive counts are rolled up; the
    share and the mean are computed last, and so are the share's Wilson interval and the change from the
    previous period of the same grain and touchpoint with its two-proportion z-test (macros/uncertainty.sql). -#}
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

with_previous as (
    select
        counted.*,
        previous.responses as previous_responses,
        previous.{{ positive_column }} as previous_{{ positive_column }}
    from counted
    left join counted as previous
        on counted.period_grain = previous.period_grain
            and counted.touchpoint = previous.touchpoint
            and previous.period_start
            = {{ previous_period_start('counted.period_grain', 'counted.period_start') }}
),

scored as (
    select
        with_previous.*,
        cast({{ positive_column }} as {{ type_double() }}) * 100 / nullif(responses, 0) as {{ share_column }},
        cast(previous_{{ positive_column }} as {{ type_double() }}) * 100
        / nullif(previous_responses, 0) as previous_{{ share_column }},
        {{ wilson_centre(positive_column, 'responses') }} as wilson_centre,
        {{ wilson_half_width(positive_column, 'responses') }} as {{ share_column }}_margin_of_error,
        {{ two_proportion_z(
            positive_column, 'responses', 'previous_' ~ positive_column, 'previous_responses'
        ) }} as {{ share_column }}_change_z
    from with_previous
),

final as (
    select
        scored.period_grain,
        scored.period_start,
        scored.touchpoint,
        cast(
            case when scored.touchpoint = 'all' then 0 else touchpoint_stages.journey_position end
            as {{ dbt.type_int() }}
        ) as journey_position,
        scored.responses,
        scored.{{ positive_column }},
        scored.{{ share_column }},
        scored.score_pct_sum,
        scored.score_pct_sum / nullif(scored.responses, 0) as mean_score_pct,
        scored.{{ share_column }}_margin_of_error,
        {{ clamped('scored.wilson_centre - scored.' ~ share_column ~ '_margin_of_error', 0, 100) }}
            as {{ share_column }}_lower,
        {{ clamped('scored.wilson_centre + scored.' ~ share_column ~ '_margin_of_error', 0, 100) }}
            as {{ share_column }}_upper,
        {{ is_low_sample('scored.responses') }} as is_low_sample,
        scored.previous_responses,
        scored.previous_{{ share_column }},
        scored.{{ share_column }} - scored.previous_{{ share_column }} as {{ share_column }}_change,
        scored.{{ share_column }}_change_z,
        {{ is_change_significant('scored.' ~ share_column ~ '_change_z', 'scored.previous_responses') }}
            as is_{{ share_column }}_change_significant
    from scored
    left join touchpoint_stages
        on scored.touchpoint = touchpoint_stages.touchpoint
)

select * from final
{%- endmacro %}
