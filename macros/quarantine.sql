{#- Validation shared by the int_<table>__checked models.

    quarantine_checks(checks) turns a list of checks into the first reason that applies, or null:
      checks = [{'when': "<sql condition that marks the row bad>", 'reason': '<code from seed quarantine_reasons>',
                 'column': '<the column at fault, or an sql expression naming it>'}, ...]
    Order matters: the first check that fires names the reason.

    Duplicates are decided after the other checks, among rows that passed them, so a key is never lost
    because its first copy was bad: checked_with_duplicates() keeps one row per key and marks the others
    duplicate_key. -#}

{% macro quarantine_checks(checks) -%}
  case
  {%- for check in checks %}
    when {{ check.when }} then '{{ check.reason }}'
  {%- endfor %}
  end
{%- endmacro %}

{% macro quarantine_columns(checks) -%}
  case
  {%- for check in checks %}
    when {{ check.when }} then {{ check.column if check.column_is_sql else "'" ~ check.column ~ "'" }}
  {%- endfor %}
  end
{%- endmacro %}

{#- Select every column of `cte` plus record_key (quarantined rows only), quarantine_reason and quarantine_column.
    key_columns: the columns that identify a row; keep_order: the order that picks the surviving copy
    of a duplicated key. List every content column in it (with nulls first/last) so the survivor never
    depends on file order or engine. -#}
{% macro checked_with_duplicates(cte, key_columns, checks, keep_order) -%}
  with flagged as (
    select
      {{ cte }}.*,
      {{ quarantine_checks(checks) }} as failed_reason,
      {{ quarantine_columns(checks) }} as failed_column
    from {{ cte }}
  ),

  ranked as (
    select
      flagged.*,
      row_number() over (
        partition by {{ key_columns | join(', ') }}, failed_reason
        order by {{ keep_order }}
      ) as copy_number
    from flagged
  )

  select
    ranked.*,
    {#- Only quarantined rows need their key as text (fct_quarantined_rows); writing it for every valid row
        cost a tenth of the biggest checked models' build time. #}
    case
      when failed_reason is not null or copy_number > 1 then {{ record_key(key_columns) }}
    end as record_key,
    case
      when failed_reason is not null then failed_reason
      when copy_number > 1 then 'duplicate_key'
    end as quarantine_reason,
    case
      when failed_reason is not null then failed_column
      when copy_number > 1 then '{{ key_columns | join(",") }}'
    end as quarantine_column
  from ranked
{%- endmacro %}

{#- The text key of a row, for the quarantine: key columns joined with '|', '<null>' for a missing part. -#}
{% macro record_key(key_columns) -%}
  {%- if key_columns | length == 1 -%}
    coalesce({{ key_columns[0] }}, '<null>')
  {%- else -%}
    concat_ws('|'{% for column in key_columns %}, coalesce({{ column }}, '<null>'){% endfor %})
  {%- endif -%}
{%- endmacro %}

{#- True when `column` holds one of the accepted values listed for table_name.column_name in the
    accepted_categories seed (null counts as accepted: nullability is checked apart). -#}
{% macro is_accepted_category(column, table_name, column_name=none) -%}
  ({{ column }} is null or {{ column }} in (
    select accepted_categories.accepted_value
    from {{ ref('accepted_categories') }} as accepted_categories
    where accepted_categories.table_name = '{{ table_name }}'
      and accepted_categories.column_name = '{{ column_name or column }}'
  ))
{%- endmacro %}
