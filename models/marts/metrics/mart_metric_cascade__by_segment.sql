{#- The metric cascade drilled down: every metric of seed metric_cascade per period x touchpoint x segment,
    with its value, target and status. Touchpoint 'all' sums every touchpoint and the metrics measured at
    none (retention); a metric has per-touchpoint rows where it is measured at touchpoints. Segment rows
    follow the other metric marts (segment_dimension all, industry, tier, region, employee_band). Components
    are summed, the value computed last; a combination without data has no row. -#}
{%- set measures = ['numerator', 'denominator', 'sample_size'] -%}

with components as (
    select * from {{ ref('prep_metric_components') }}
),

metric_cascade as (
    select * from {{ ref('metric_cascade') }}
),

touchpoint_components as (
    select * from components
    where touchpoint is not null
    union all
    select
        period_grain,
        period_start,
        metric_code,
        value_scale,
        'all' as touchpoint,
        {{ account_segment_columns() | join(',\n        ') }},
        numerator,
        denominator,
        sample_size
    from components
),

segments as (
    {{ rollup_segments(
        'touchpoint_components',
        ['period_grain', 'period_start', 'metric_code', 'value_scale', 'touchpoint'],
        account_segment_columns(),
        measures
    ) }}
),

segment_values as (
    select
        *,
        {{ metric_value('numerator', 'denominator', 'value_scale') }} as metric_value
    from segments
),

valued as (
    select
        segment_values.*,
        metric_cascade.metric_name,
        metric_cascade.cascade_level,
        metric_cascade.parent_metric_code,
        metric_cascade.unit,
        metric_cascade.is_higher_better,
        metric_cascade.target,
        metric_cascade.at_risk_tolerance
    from segment_values
    inner join metric_cascade
        on segment_values.metric_code = metric_cascade.metric_code
),

final as (
    select
        period_grain,
        period_start,
        cast(metric_code as {{ dbt.type_string() }}) as metric_code,
        cast(metric_name as {{ dbt.type_string() }}) as metric_name,
        cast(cascade_level as {{ dbt.type_string() }}) as cascade_level,
        cast(parent_metric_code as {{ dbt.type_string() }}) as parent_metric_code,
        cast(touchpoint as {{ dbt.type_string() }}) as touchpoint,
        cast(segment_dimension as {{ dbt.type_string() }}) as segment_dimension,
        cast(segment_value as {{ dbt.type_string() }}) as segment_value,
        cast(unit as {{ dbt.type_string() }}) as unit,
        is_higher_better,
        cast(numerator as {{ type_double() }}) as numerator,
        cast(denominator as {{ type_double() }}) as denominator,
        cast(sample_size as {{ dbt.type_bigint() }}) as sample_size,
        cast(metric_value as {{ type_double() }}) as metric_value,
        cast(target as {{ type_double() }}) as target,
        cast({{ target_margin('metric_value', 'target', 'is_higher_better') }} as {{ type_double() }})
            as target_margin,
        {{ is_low_sample('sample_size') }} as is_low_sample,
        cast(
            {{ cascade_status(
                'metric_value', 'target', 'at_risk_tolerance', 'is_higher_better', 'sample_size'
            ) }} as {{ dbt.type_string() }}
        ) as status
    from valued
)

select * from final
