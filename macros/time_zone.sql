{#- The reporting calendar's time zone (var reporting_time_zone, default UTC). Timestamps are stored in UTC;
    the day, month, quarter and year an event belongs to are those of its local time in this zone, so that a
    Danish team (Europe/Copenhagen) counts an answer given at 00:30 on 1 April local time in April. In UTC no
    conversion is written at all. -#}

{% macro reporting_time_zone() -%}
  {{ return(checked_var('reporting_time_zone', 'time_zone')) }}
{%- endmacro %}

{#- A UTC timestamp (without time zone) as local time in the reporting zone (without time zone). -#}
{% macro to_reporting_time(timestamp_expression) -%}
  {%- if reporting_time_zone() | upper == 'UTC' -%}
    {{ timestamp_expression }}
  {%- else -%}
    {{ adapter.dispatch('to_reporting_time', 'cx_warehouse')(timestamp_expression, sql_string_literal(reporting_time_zone())) }}
  {%- endif -%}
{%- endmacro %}

{% macro default__to_reporting_time(timestamp_expression, zone) -%}
  (({{ timestamp_expression }}) at time zone 'UTC') at time zone {{ zone }}
{%- endmacro %}

{#- The profile sets DuckDB's TimeZone to UTC, so the cast to timestamptz reads the value as UTC. -#}
{% macro duckdb__to_reporting_time(timestamp_expression, zone) -%}
  timezone({{ zone }}, cast({{ timestamp_expression }} as timestamptz))
{%- endmacro %}

{% macro spark__to_reporting_time(timestamp_expression, zone) -%}
  from_utc_timestamp({{ timestamp_expression }}, {{ zone }})
{%- endmacro %}

{#- Local time in the reporting zone (without time zone) as a UTC timestamp (without time zone). -#}
{% macro from_reporting_time(timestamp_expression) -%}
  {%- if reporting_time_zone() | upper == 'UTC' -%}
    {{ timestamp_expression }}
  {%- else -%}
    {{ adapter.dispatch('from_reporting_time', 'cx_warehouse')(timestamp_expression, sql_string_literal(reporting_time_zone())) }}
  {%- endif -%}
{%- endmacro %}

{% macro default__from_reporting_time(timestamp_expression, zone) -%}
  (({{ timestamp_expression }}) at time zone {{ zone }}) at time zone 'UTC'
{%- endmacro %}

{% macro duckdb__from_reporting_time(timestamp_expression, zone) -%}
  cast(timezone('UTC', timezone({{ zone }}, {{ timestamp_expression }})) as timestamp)
{%- endmacro %}

{% macro spark__from_reporting_time(timestamp_expression, zone) -%}
  to_utc_timestamp({{ timestamp_expression }}, {{ zone }})
{%- endmacro %}

{#- The reporting day of a UTC timestamp. -#}
{% macro reporting_date(timestamp_expression) -%}
  cast({{ to_reporting_time(timestamp_expression) }} as date)
{%- endmacro %}
