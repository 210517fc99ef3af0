{#- Within every segment dimension the segment values add up to the 'all' row of the same period, for every
    stored count and ARR column (each account has exactly one value per dimension, 'unknown' included).
    Fails for each period and dimension where a measure differs; a dimension without rows counts as 0. -#}

{%- set measures = [
    'accounts_start', 'new_accounts', 'churned_accounts', 'accounts_end', 'churn_events_recorded',
    'arr_start', 'arr_new', 'arr_expansion', 'arr_contraction', 'arr_churned', 'arr_end',
] -%}
{%- set summed = [] -%}
{%- set compared_columns = [] -%}
{%- set differences = [] -%}
{%- for measure in measures -%}
    {%- do summed.append('sum(' ~ measure ~ ') as ' ~ measure) -%}
    {%- do compared_columns.append('all_rows.' ~ measure ~ ' as all_' ~ measure) -%}
    {%- do compared_columns.append(
        'coalesce(segment_totals.' ~ measure ~ ', 0) as summed_' ~ measure
    ) -%}
    {%- do differences.append('all_' ~ measure ~ ' <> summed_' ~ measure) -%}
{%- endfor %}

with churn as (
    select * from {{ ref('mart_churn') }}
),

all_rows as (
    select * from churn
    where segment_dimension = 'all'
),

dimension_rows as (
    select * from churn
    where segment_dimension <> 'all'
),

segment_dimensions as (
    {%- for dimension in account_segment_columns() %}
        select '{{ dimension }}' as segment_dimension
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

segment_totals as (
    select
        period_grain,
        period_start,
        segment_dimension,
        {{ summed | join(',\n        ') }}
    from dimension_rows
    group by
        period_grain,
        period_start,
        segment_dimension
),

compared as (
    select
        all_rows.period_grain,
        all_rows.period_start,
        segment_dimensions.segment_dimension,
        {{ compared_columns | join(',\n        ') }}
    from all_rows
    cross join segment_dimensions
    left join segment_totals
        on all_rows.period_grain = segment_totals.period_grain
            and all_rows.period_start = segment_totals.period_start
            and segment_dimensions.segment_dimension = segment_totals.segment_dimension
)

select * from compared
where {{ differences | join('\n    or ') }}
