{#- The operational drivers' components for the metric cascade, per period x metric x touchpoint x account
    segment: the monthly drivers of prep_operational_drivers__monthly (where each driver is defined) rolled up
    to months, quarters and years of the reporting calendar. -#}
{%- set group_columns = ['metric_code', 'value_scale', 'touchpoint'] + account_segment_columns() -%}
{%- set measures = ['numerator', 'denominator', 'sample_size'] -%}

with monthly_drivers as (
    select * from {{ ref('prep_operational_drivers__monthly') }}
),

reporting_periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

periods as (
    {{ rollup_months_to_periods('monthly_drivers', 'event_month', group_columns, measures) }}
),

{# The shared reporting calendar decides which periods are reported, as in every metric mart. #}
final as (
    select
        periods.period_grain,
        periods.period_start,
        cast(periods.metric_code as {{ dbt.type_string() }}) as metric_code,
        cast(periods.value_scale as {{ type_double() }}) as value_scale,
        cast(periods.touchpoint as {{ dbt.type_string() }}) as touchpoint,
        periods.{{ account_segment_columns() | join(',\n        periods.') }},
        cast(periods.numerator as {{ type_double() }}) as numerator,
        cast(periods.denominator as {{ type_double() }}) as denominator,
        cast(periods.sample_size as {{ dbt.type_bigint() }}) as sample_size
    from periods
    inner join reporting_periods
        on periods.period_grain = reporting_periods.period_grain
            and periods.period_start = reporting_periods.period_start
)

select * from final
