{#- NPS per period and segment. Monthly counts are rolled up to month, quarter and year, then summed for the
    whole population (segment_dimension 'all') and per value of each account segment and touchpoint. Only the
    counts are summed; the NPS and its band are computed from them last, never averaged. -#}
{%- set segment_columns = account_segment_columns() + ['touchpoint'] -%}
{%- set measures = ['responses', 'promoters', 'passives', 'detractors'] -%}
{%- set nps -%}
    (
        cast(counted.promoters - counted.detractors as {{ type_double() }}) * 100
        / nullif(counted.responses, 0)
    )
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

final as (
    select
        counted.period_grain,
        counted.period_start,
        counted.segment_dimension,
        counted.segment_value,
        counted.responses,
        counted.promoters,
        counted.passives,
        counted.detractors,
        {{ nps }} as nps,
        nps_bands.nps_band
    from counted
    left join nps_bands
        on
            {{ nps }} >= nps_bands.nps_from
            and {{ nps }} < nps_bands.nps_to
)

select * from final
