{#- The status and trend rules of the metric cascade (mart_metric_cascade and its by-segment companion;
    docs/metric_cascade.md). Figures are compared at 6 decimals, so that a value computed on the target or on
    the tolerance's edge (18 / 40 x 100 = 45.000000000000007) is judged as the number it is. -#}

{#- How far the value is on the good side of the target, in the metric's unit: value - target when higher is
    better, target - value otherwise; negative when the target is missed. Stored as computed: rounded, a
    margin on a tie of the 7th decimal (0.5296875) would flip with the last bit of a sum DuckDB adds up in
    parallel, in no fixed order. -#}
{% macro target_margin(value, target, is_higher_better) -%}
    (case when {{ is_higher_better }} then {{ value }} - {{ target }} else {{ target }} - {{ value }} end)
{%- endmacro %}

{#- The margin the status is judged on: target_margin at 6 decimals. -#}
{% macro judged_margin(value, target, is_higher_better) -%}
    round({{ target_margin(value, target, is_higher_better) }}, 6)
{%- endmacro %}

{#- on_track when the target is met (margin >= 0), at_risk when it is missed by at most the tolerance,
    off_track beyond it; null without a value or on a sample smaller than var min_sample_responses. -#}
{% macro cascade_status(value, target, tolerance, is_higher_better, sample_size) -%}
    case
        when {{ value }} is null or {{ is_low_sample(sample_size) }} then null
        when {{ judged_margin(value, target, is_higher_better) }} >= 0 then 'on_track'
        when {{ judged_margin(value, target, is_higher_better) }} >= -{{ tolerance }} then 'at_risk'
        else 'off_track'
    end
{%- endmacro %}

{#- improving / worsening / steady: the sign of a change read in the metric's direction; null without one. -#}
{% macro trend_direction(change, is_higher_better) -%}
    case
        when {{ change }} is null then null
        when round({{ change }}, 6) = 0 then 'steady'
        when ({{ change }} > 0) = {{ is_higher_better }} then 'improving'
        else 'worsening'
    end
{%- endmacro %}

{#- The metric's value from its summed components: numerator * value_scale / denominator (null on 0). -#}
{% macro metric_value(numerator, denominator, value_scale) -%}
    ({{ numerator }} * {{ value_scale }} / nullif({{ denominator }}, 0))
{%- endmacro %}

{#- Monthly cascade components in `relation` (the month in `month_column`; metric_code, value_scale,
    touchpoint, the account segments, numerator, denominator, sample_size) summed to month, quarter and year,
    typed, and kept to the periods of the reporting calendar (`reporting_periods`, dim_reporting_periods):
    the rows every branch of prep_metric_components gives. -#}
{% macro cascade_components_by_period(relation, month_column, reporting_periods) -%}
    {%- set group_columns = ['metric_code', 'value_scale', 'touchpoint'] + account_segment_columns() -%}
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
    from (
        {{ rollup_months_to_periods(relation, month_column, group_columns, ['numerator', 'denominator', 'sample_size']) }}
    ) as periods
    inner join {{ reporting_periods }}
        on periods.period_grain = {{ reporting_periods }}.period_grain
            and periods.period_start = {{ reporting_periods }}.period_start
{%- endmacro %}
