{#- Shared roll-ups for the metric marts. Every measure passed in must be additive (a count or a sum):
    ratios are computed after rolling up, never summed. -#}

{#- The account attributes the marts segment by (besides 'all'). -#}
{% macro account_segment_columns() -%}
  {{ return(['industry', 'tier', 'region', 'employee_band']) }}
{%- endmacro %}

{#- The calendar grains of the metric marts. -#}
{% macro period_grains() -%}
  {{ return(['month', 'quarter', 'year']) }}
{%- endmacro %}

{#- Monthly rows of `relation` summed into month, quarter and year rows:
    period_grain, period_start, <group_columns>, <measures>. `month_column` holds the first day of the month. -#}
{% macro rollup_months_to_periods(relation, month_column, group_columns, measures) -%}
  {%- for grain in period_grains() %}
  select
    '{{ grain }}' as period_grain,
    cast({{ dbt.date_trunc(grain, month_column) }} as date) as period_start,
    {%- for column in group_columns %}
    {{ column }},
    {%- endfor %}
    {%- for measure in measures %}
    sum({{ measure }}) as {{ measure }}{{ ',' if not loop.last }}
    {%- endfor %}
  from {{ relation }}
  group by
    cast({{ dbt.date_trunc(grain, month_column) }} as date){{ ',' if group_columns }}
    {{ group_columns | join(', ') }}
  {%- if not loop.last %}
  union all
  {%- endif %}
  {%- endfor %}
{%- endmacro %}

{#- Rows of `relation` summed per <group_columns> for the whole population (segment_dimension 'all',
    segment_value 'all') and for each value of each segment column (a missing value counts as 'unknown'):
    <group_columns>, segment_dimension, segment_value, <measures>. -#}
{% macro rollup_segments(relation, group_columns, segment_columns, measures) -%}
  {%- for dimension in ['all'] + segment_columns %}
  {%- set value = "'all'" if dimension == 'all'
      else "coalesce(cast(" ~ dimension ~ " as " ~ dbt.type_string() ~ "), 'unknown')" %}
  select
    {%- for column in group_columns %}
    {{ column }},
    {%- endfor %}
    '{{ dimension }}' as segment_dimension,
    {{ value }} as segment_value,
    {%- for measure in measures %}
    sum({{ measure }}) as {{ measure }}{{ ',' if not loop.last }}
    {%- endfor %}
  from {{ relation }}
  group by
    {{ group_columns | join(', ') }}{{ ',' if dimension != 'all' }}
    {{ value if dimension != 'all' }}
  {%- if not loop.last %}
  union all
  {%- endif %}
  {%- endfor %}
{%- endmacro %}
