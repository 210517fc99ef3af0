{#- The closed loop's service level (docs/closed_loop.md): a first contact is due var feedback_sla_hours after
    the answer, counted in calendar hours or, with var feedback_sla_business_days, in business hours (Saturdays
    and Sundays of the reporting time zone do not count; public holidays do). Plain arithmetic on
    dbt.datediff/dbt.dateadd in seconds, so the same SQL runs on every engine. -#}

{% macro feedback_sla_counts_business_days() -%}
  {{ return(checked_var('feedback_sla_business_days', 'boolean') | lower == 'true') }}
{%- endmacro %}

{#- When the first contact on an answer given at `answered_at` (a UTC timestamp) is due, as a UTC timestamp. -#}
{% macro feedback_due_at(answered_at) -%}
  {%- set sla_seconds = (checked_var('feedback_sla_hours', 'number') | float * 3600) | round | int -%}
  {%- if feedback_sla_counts_business_days() -%}
    {%- set due_business_second = '(' ~ business_seconds_of(to_reporting_time(answered_at)) ~ ' + ' ~ sla_seconds ~ ')' -%}
    {{ from_reporting_time(timestamp_of_business_seconds(due_business_second)) }}
  {%- else -%}
    {{ dbt.dateadd('second', sla_seconds, answered_at) }}
  {%- endif -%}
{%- endmacro %}

{#- The business clock: seconds of Monday to Friday since Monday 2000-01-03 00:00 (local time). A week holds
    5 x 86400 = 432000 business seconds; a moment on a weekend reads as the end of its Friday. -#}
{% macro _business_clock_start() -%}
  cast('2000-01-03 00:00:00' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro business_seconds_of(local_timestamp) -%}
  {%- set seconds = dbt.datediff(_business_clock_start(), local_timestamp, 'second') -%}
  {%- set weeks = 'floor(cast(' ~ seconds ~ ' as ' ~ type_double() ~ ') / 604800)' -%}
  ({{ weeks }} * 432000 + least({{ seconds }} - {{ weeks }} * 604800, 432000))
{%- endmacro %}

{#- The local timestamp a business second falls on: whole weeks as 7 days, the rest within Monday to Friday. -#}
{% macro timestamp_of_business_seconds(business_seconds) -%}
  {%- set weeks = 'cast(floor(cast(' ~ business_seconds ~ ' as ' ~ type_double() ~ ') / 432000) as ' ~ dbt.type_bigint() ~ ')' -%}
  {{ dbt.dateadd(
      'second',
      business_seconds ~ ' - ' ~ weeks ~ ' * 432000',
      dbt.dateadd('day', weeks ~ ' * 7', _business_clock_start())
  ) }}
{%- endmacro %}
