{#- The day the build treats as "today": var('as_of_date') when set, else the day the run started (UTC).
    Every "now" in the project goes through these, so a build with a fixed as_of_date is reproducible. -#}
{% macro as_of_date_literal() -%}
  {%- set configured = var('as_of_date') -%}
  {%- set day = configured if configured else run_started_at.strftime('%Y-%m-%d') -%}
  {%- if not modules.re.match('^\\d{4}-\\d{2}-\\d{2}$', day | string) -%}
    {{ exceptions.raise_compiler_error("var as_of_date is '" ~ day ~ "'; give a date as YYYY-MM-DD") }}
  {%- endif -%}
  cast('{{ day }}' as date)
{%- endmacro %}

{#- The first instant after the as-of day: timestamps at or after it are in the future. -#}
{% macro as_of_end_timestamp() -%}
  cast({{ dbt.dateadd('day', 1, as_of_date_literal()) }} as {{ dbt.type_timestamp() }})
{%- endmacro %}
