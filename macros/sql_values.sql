{#- Settings and patterns that reach SQL. A var is data, not SQL: each one is checked against the form it must
    have (and the run stops with a message naming the var when it does not), and text is rendered as an
    escaped string literal, never pasted into a statement. -#}

{#- var(name) checked to be of one form: 'date' (YYYY-MM-DD), 'number' (a decimal, 0 or more), 'whole_number',
    'time_zone' (an IANA name such as Europe/Copenhagen, or UTC), 'identifier' (a schema name) or 'boolean' (true or
    false). Returns it as text. -#}
{% macro checked_var(name, form) -%}
  {%- set value = var(name) | string -%}
  {%- set patterns = {
      'date': '^\\d{4}-\\d{2}-\\d{2}$',
      'number': '^\\d+(\\.\\d+)?$',
      'whole_number': '^\\d+$',
      'time_zone': '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$',
      'identifier': '^[A-Za-z_][A-Za-z0-9_]*$',
      'boolean': '^(true|false|True|False)$',
  } -%}
  {%- set examples = {
      'date': 'a date as YYYY-MM-DD', 'number': 'a number (0 or more)', 'whole_number': 'a whole number (0 or more)',
      'time_zone': 'an IANA time zone such as Europe/Copenhagen or UTC',
      'identifier': 'a plain name (letters, digits, underscores)', 'boolean': 'true or false',
  } -%}
  {%- if not modules.re.match(patterns[form], value) -%}
    {{ exceptions.raise_compiler_error("var " ~ name ~ " is '" ~ value ~ "'; give " ~ examples[form]) }}
  {%- endif -%}
  {{ return(value) }}
{%- endmacro %}

{#- A text value as a SQL string literal, quotes escaped the engine's way. -#}
{% macro sql_string_literal(value) -%}
  {{ return(adapter.dispatch('sql_string_literal', 'cx_warehouse')(value | string)) }}
{%- endmacro %}

{% macro default__sql_string_literal(value) -%}
  '{{ value | replace("'", "''") }}'
{%- endmacro %}

{#- Spark reads backslash escapes in string literals. -#}
{% macro spark__sql_string_literal(value) -%}
  '{{ value | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{#- Regular expressions differ by engine in function and in how a literal carries a backslash; patterns here
    are kept free of backslashes and quotes (character classes like [0-9] and [.] instead) so that the same
    pattern text is valid on every engine. -#}
{% macro portable_pattern(pattern) -%}
  {%- if "\\" in pattern or "'" in pattern -%}
    {{ exceptions.raise_compiler_error("regular expression '" ~ pattern ~ "': write it without backslashes and quotes") }}
  {%- endif -%}
  {{ return("'" ~ pattern ~ "'") }}
{%- endmacro %}

{#- True when the text matches the pattern somewhere (anchor it with ^ and $ for a whole match). -#}
{% macro regexp_like(expression, pattern) -%}
  {{ return(adapter.dispatch('regexp_like', 'cx_warehouse')(expression, portable_pattern(pattern))) }}
{%- endmacro %}

{% macro default__regexp_like(expression, pattern) -%}
  ({{ expression }} ~ {{ pattern }})
{%- endmacro %}

{% macro duckdb__regexp_like(expression, pattern) -%}
  regexp_matches({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regexp_like(expression, pattern) -%}
  ({{ expression }} rlike {{ pattern }})
{%- endmacro %}

{#- Every match of the pattern replaced. -#}
{% macro regexp_replace_all(expression, pattern, replacement) -%}
  {{ return(adapter.dispatch('regexp_replace_all', 'cx_warehouse')(
      expression, portable_pattern(pattern), sql_string_literal(replacement))) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
  regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
  regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}

{#- Every var that reaches SQL, checked once at the start of a run (on-run-start), so a bad value stops the run
    with its name before anything is built; the macros that use them check again where they read them. -#}
{% macro check_vars() -%}
  {%- set forms = {
      'raw_schema': 'identifier', 'reporting_time_zone': 'time_zone', 'reporting_start_date': 'date',
      'clv_max_lifetime_years': 'number', 'clv_horizon_months': 'whole_number',
      'clv_annual_discount_rate': 'number', 'clv_min_fit_accounts': 'whole_number',
      'incremental_lookback_days': 'whole_number',
      'double_submission_window_minutes': 'number', 'quarantine_warn_pct': 'whole_number',
      'quarantine_error_pct': 'whole_number', 'orphan_warn_pct': 'whole_number', 'orphan_error_pct': 'whole_number',
      'data_quality_min_rows': 'whole_number', 'confidence_z': 'number', 'min_sample_responses': 'whole_number',
      'cascade_trend_periods': 'whole_number', 'first_contact_max_agent_replies': 'whole_number',
      'survey_reinvite_window_days': 'whole_number', 'survey_frequency_window_days': 'whole_number',
      'feedback_sla_hours': 'number', 'feedback_sla_business_days': 'boolean',
  } -%}
  {%- for name, form in forms.items() -%}
    {%- do checked_var(name, form) -%}
  {%- endfor -%}
  {%- if var('as_of_date') -%}
    {%- do checked_var('as_of_date', 'date') -%}
  {%- endif -%}
{%- endmacro %}
