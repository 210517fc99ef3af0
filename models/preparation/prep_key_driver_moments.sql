{#- The additive co-moments of the key driver analysis per reported year x survey x segment x unordered
    pair of variables (the NPS score and the drivers of prep_key_driver_values; each variable also with
    itself): over the NPS responses where both are present (pairwise complete), their count and the sums of
    each value, of its square and of the product. Any correlation, and so any OLS R2 of the NPS score on a
    set of drivers, follows from these sums (prep_key_driver_importance), and a coarser segment or period is
    their sum. Also the responses where the pair's first variable meets its target: on a variable's own row
    (variable_a = variable_b) the count behind its performance. Segments are the accounts' as they were
    (prep_survey_responses__accounts), as in mart_nps_by_segment. -#}
{%- set segment_columns = account_segment_columns() -%}
{%- set measures = ['pair_count', 'good_count_a', 'sum_a', 'sum_b', 'sum_aa', 'sum_bb', 'sum_ab'] -%}

with driver_values as (
    select * from {{ ref('prep_key_driver_values') }}
),

reporting_periods as (
    select * from {{ ref('dim_reporting_periods') }}
    where period_grain = 'year'
),

pairs as (
    select
        cast({{ dbt.date_trunc('year', 'value_a.submitted_month') }} as date) as period_start,
        value_a.survey_id,
        value_a.industry,
        value_a.tier,
        value_a.region,
        value_a.employee_band,
        value_a.variable_key as variable_a,
        value_b.variable_key as variable_b,
        value_a.is_good as is_good_a,
        value_a.variable_value as value_a,
        value_b.variable_value as value_b
    from driver_values as value_a
    inner join driver_values as value_b
        on value_a.response_id = value_b.response_id
            and value_a.variable_key <= value_b.variable_key
),

segment_pairs as (
    select
        period_start,
        survey_id,
        {{ segment_columns | join(',\n        ') }},
        variable_a,
        variable_b,
        count(*) as pair_count,
        sum(is_good_a) as good_count_a,
        sum(value_a) as sum_a,
        sum(value_b) as sum_b,
        sum(value_a * value_a) as sum_aa,
        sum(value_b * value_b) as sum_bb,
        sum(value_a * value_b) as sum_ab
    from pairs
    group by
        period_start,
        survey_id,
        {{ segment_columns | join(',\n        ') }},
        variable_a,
        variable_b
),

{# The shared reporting calendar decides which years are reported, as in every metric mart. #}
reported_pairs as (
    select segment_pairs.*
    from segment_pairs
    inner join reporting_periods
        on segment_pairs.period_start = reporting_periods.period_start
),

segments as (
    {{ rollup_segments(
        'reported_pairs',
        ['period_start', 'survey_id', 'variable_a', 'variable_b'],
        segment_columns,
        measures
    ) }}
),

final as (
    select
        cast('year' as {{ dbt.type_string() }}) as period_grain,
        period_start,
        survey_id,
        segment_dimension,
        segment_value,
        variable_a,
        variable_b,
        cast(pair_count as {{ dbt.type_bigint() }}) as pair_count,
        cast(good_count_a as {{ dbt.type_bigint() }}) as good_count_a,
        cast(sum_a as {{ type_double() }}) as sum_a,
        cast(sum_b as {{ type_double() }}) as sum_b,
        cast(sum_aa as {{ type_double() }}) as sum_aa,
        cast(sum_bb as {{ type_double() }}) as sum_bb,
        cast(sum_ab as {{ type_double() }}) as sum_ab
    from segments
)

select * from final
