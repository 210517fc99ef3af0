{#- The day the build treats as "today": var('as_of_date') when set, else the day the run started (UTC).
    Every "now" in the project goes through these, so a build with a fixed as_of_date is reproducible. The day
    is a day of the reporting calendar (var reporting_time_zone). -#}
{#- The as-of day as 'YYYY-MM-DD': the one place that reads var as_of_date (checked for its form by
    checked_var) or falls back to the UTC day the run started. cx_warehouse.runtime.project.as_of_day is its Python
    side: the CLI always passes the day it chose, so both agree. -#}
{% macro as_of_day() -%}
  {{ return(checked_var('as_of_date', 'date') | string if var('as_of_date') else run_started_at.strftime('%Y-%m-%d')) }}
{%- endmacro %}

{% macro as_of_date_literal() -%}
  cast('{{ as_of_day() }}' as date)
{%- endmacro %}

{#- The first instant after the as-of day (as a UTC timestamp): timestamps at or after it are in the future.
    -#}
{% macro as_of_end_timestamp() -%}
  {{ from_reporting_time('cast(' ~ dbt.dateadd('day', 1, as_of_date_literal()) ~ ' as ' ~ dbt.type_timestamp() ~ ')') }}
{%- endmacro %}
