{#- The metric cascade leadership reads: per period, every metric of seed metric_cascade (business outcomes
    <- CX metrics <- operational drivers) with its value, target, status and trend. The components of
    prep_metric_components are summed over touchpoints and segments, and the value computed last. Every
    metric has a row in every reported period, also without data (value and status null), so the trend
    compares a period with the one var cascade_trend_periods before it. -#}
{%- set trend_periods = checked_var('cascade_trend_periods', 'whole_number') -%}

with components as (
    select * from {{ ref('prep_metric_components') }}
),

metric_cascade as (
    select * from {{ ref('metric_cascade') }}
),

reporting_periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

metric_periods as (
    select
        period_grain,
        period_start,
        metric_code,
        value_scale,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        sum(sample_size) as sample_size
    from components
    group by
        period_grain,
        period_start,
        metric_code,
        value_scale
),

metric_values as (
    select
        *,
        {{ metric_value('numerator', 'denominator', 'value_scale') }} as metric_value
    from metric_periods
),

cascade_periods as (
    select
        reporting_periods.period_grain,
        reporting_periods.period_start,
        reporting_periods.is_complete,
        metric_cascade.metric_code,
        metric_cascade.metric_name,
        metric_cascade.cascade_level,
        metric_cascade.level_order,
        metric_cascade.parent_metric_code,
        metric_cascade.unit,
        metric_cascade.is_higher_better,
        metric_cascade.target,
        metric_cascade.at_risk_tolerance
    from reporting_periods
    cross join metric_cascade
),

valued as (
    select
        cascade_periods.*,
        metric_values.numerator,
        metric_values.denominator,
        coalesce(metric_values.sample_size, 0) as sample_size,
        metric_values.metric_value
    from cascade_periods
    left join metric_values
        on cascade_periods.period_grain = metric_values.period_grain
            and cascade_periods.period_start = metric_values.period_start
            and cascade_periods.metric_code = metric_values.metric_code
),

trended as (
    select
        *,
        lag(metric_value, {{ trend_periods }}) over (
            partition by metric_code, period_grain
            order by period_start
        ) as trend_base_value
    from valued
),

final as (
    select
        period_grain,
        period_start,
        is_complete,
        cast(metric_code as {{ dbt.type_string() }}) as metric_code,
        cast(metric_name as {{ dbt.type_string() }}) as metric_name,
        cast(cascade_level as {{ dbt.type_string() }}) as cascade_level,
        cast(level_order as {{ dbt.type_int() }}) as level_order,
        cast(parent_metric_code as {{ dbt.type_string() }}) as parent_metric_code,
        cast(unit as {{ dbt.type_string() }}) as unit,
        is_higher_better,
        cast(numerator as {{ type_double() }}) as numerator,
        cast(denominator as {{ type_double() }}) as denominator,
        cast(sample_size as {{ dbt.type_bigint() }}) as sample_size,
        cast(metric_value as {{ type_double() }}) as metric_value,
        cast(target as {{ type_double() }}) as target,
        cast(at_risk_tolerance as {{ type_double() }}) as at_risk_tolerance,
        cast({{ target_margin('metric_value', 'target', 'is_higher_better') }} as {{ type_double() }})
            as target_margin,
        {{ is_low_sample('sample_size') }} as is_low_sample,
        cast(
            {{ cascade_status(
                'metric_value', 'target', 'at_risk_tolerance', 'is_higher_better', 'sample_size'
            ) }} as {{ dbt.type_string() }}
        ) as status,
        cast({{ trend_periods }} as {{ dbt.type_int() }}) as trend_periods,
        cast(trend_base_value as {{ type_double() }}) as trend_base_value,
        cast(metric_value - trend_base_value as {{ type_double() }}) as trend_change,
        cast(
            {{ trend_direction('metric_value - trend_base_value', 'is_higher_better') }}
            as {{ dbt.type_string() }}
        ) as trend_direction
    from trended
)

select * from final
