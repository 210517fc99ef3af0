{#- NPS per period and segment. Monthly counts are rolled up to month, quarter and year, then summed for the
    whole population (segment_dimension 'all') and per value of each account segment and touchpoint. Only the
    counts are summed; the NPS and its band are computed from them last, never averaged, and so are its
    adjusted-Wald interval and the change from the previous period of the same grain and segment with its
    significance (macros/uncertainty.sql). -#}
{%- set segment_columns = account_segment_columns() + ['touchpoint'] -%}
{%- set measures = ['responses', 'promoters', 'passives', 'detractors'] -%}
{%- set nps -%}
    (cast(promoters - detractors as {{ type_double() }}) * 100 / nullif(responses, 0))
{%- endset %}

with monthly_scores as (
    select * from {{ ref('prep_survey_scores__monthly') }}
),

reporting_periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

nps_bands as (
    select * from {{ ref('nps_bands') }}
),

nps_monthly as (
    select
        submitted_month,
        {{ segment_columns | join(',\n        ') }},
        answers as responses,
        positive_answers as promoters,
        passive_answers as passives,
        negative_answers as detractors
    from monthly_scores
    where metric = 'nps'
),

periods as (
    {{ rollup_months_to_periods('nps_monthly', 'submitted_month', segment_columns, measures) }}
),

{# The shared reporting calendar decides which periods are reported, as in every metric mart. #}
reported_periods as (
    select periods.*
    from periods
    inner join reporting_periods
        on periods.period_grain = reporting_periods.period_grain
            and periods.period_start = reporting_periods.period_start
),

segments as (
    {{ rollup_segments(
        'reported_periods',
        ['period_grain', 'period_start'],
        segment_columns,
        measures
    ) }}
),

counted as (
    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        cast(responses as {{ dbt.type_bigint() }}) as responses,
        cast(promoters as {{ dbt.type_bigint() }}) as promoters,
        cast(passives as {{ dbt.type_bigint() }}) as passives,
        cast(detractors as {{ dbt.type_bigint() }}) as detractors
    from segments
),

with_previous as (
    select
        counted.*,
        previous.responses as previous_responses,
        previous.promoters as previous_promoters,
        previous.detractors as previous_detractors
    from counted
    left join counted as previous
        on counted.period_grain = previous.period_grain
            and counted.segment_dimension = previous.segment_dimension
            and counted.segment_value = previous.segment_value
            and previous.period_start
            = {{ previous_period_start('counted.period_grain', 'counted.period_start') }}
),

estimated as (
    select
        *,
        {{ nps_adjusted_estimate('promoters', 'detractors', 'responses') }} as nps_adjusted,
        {{ nps_adjusted_standard_error('promoters', 'detractors', 'responses') }} as nps_standard_error,
        {{ nps_adjusted_estimate('previous_promoters', 'previous_detractors', 'previous_responses') }}
            as previous_nps_adjusted,
        {{ nps_adjusted_standard_error('previous_promoters', 'previous_detractors', 'previous_responses') }}
            as previous_nps_standard_error
    from with_previous
),

scored as (
    select
        *,
        {{ nps }} as nps,
        (
            cast(previous_promoters - previous_detractors as {{ type_double() }}) * 100
            / nullif(previous_responses, 0)
        ) as previous_nps,
        {{ confidence_z() }} * nps_standard_error as nps_margin_of_error,
        {{ change_z(
            'nps_adjusted - previous_nps_adjusted', 'nps_standard_error', 'previous_nps_standard_error'
        ) }} as nps_change_z
    from estimated
),

final as (
    select
        scored.period_grain,
        scored.period_start,
        scored.segment_dimension,
        scored.segment_value,
        scored.responses,
        scored.promoters,
        scored.passives,
        scored.detractors,
        scored.nps,
        nps_bands.nps_band,
        scored.nps_margin_of_error,
        {{ clamped('scored.nps_adjusted - scored.nps_margin_of_error', -100, 100) }} as nps_lower,
        {{ clamped('scored.nps_adjusted + scored.nps_margin_of_error', -100, 100) }} as nps_upper,
        {{ is_low_sample('scored.responses') }} as is_low_sample,
        scored.previous_responses,
        scored.previous_nps,
        scored.nps - scored.previous_nps as nps_change,
        scored.nps_change_z,
        {{ is_change_significant('scored.nps_change_z', 'scored.previous_responses') }}
            as is_nps_change_significant
    from scored
    left join nps_bands
        on
            scored.nps >= nps_bands.nps_from
            and scored.nps < nps_bands.nps_to
)

select * from final
