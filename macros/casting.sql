{#- Casting raw text to typed columns. Raw values arrive as text, in the canonical forms the loader writes
    (cx_warehouse.runtime.load: numbers with a dot, ISO dates, UTC timestamps); a value that does not parse becomes
    null here and is named in the row's invalid_fields, so the row can be quarantined. Booleans and other
    codes are matched to their vocabulary in the checked models (macros/quarantine.sql), not cast. -#}

{#- A number as the loader writes it: an optional sign, digits with an optional decimal point, an optional
    exponent. NaN, inf and grouped digits do not match, so they are quarantined instead of cast or failing.
    -#}
{% macro number_text_pattern() -%}
  {{ return('^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$') }}
{%- endmacro %}

{% macro cast_raw(column, data_type) -%}
  {%- set text = "nullif(trim(cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")), '')" -%}
  {%- if data_type == 'text' -%}
    {{ text }}
  {%- elif data_type in ('timestamp', 'date') -%}
    {#- Only ISO text: engines read words such as 'epoch' or 'infinity' as dates, each its own way. -#}
    case
      when {{ regexp_like(text, '^[0-9]{4}-[0-9]{2}-[0-9]{2}') }}
        then {{ utc_timestamp(text) if data_type == 'timestamp' else try_cast_as(text, 'date') }}
    end
  {%- elif data_type == 'integer' -%}
    {#- Whole numbers only ('8' or '8.0'): '3.5' would round (DuckDB) or truncate (Spark), '1e9' is not an
        integer as written. -#}
    case
      when {{ regexp_like(text, '^[+-]?[0-9]{1,18}([.]0*)?$') }}
        then cast({{ try_cast_as(text, 'decimal(20, 2)') }} as {{ dbt.type_bigint() }})
    end
  {%- elif data_type in ('number', 'money') -%}
    case
      when {{ regexp_like(text, number_text_pattern()) }}
        then {{ try_cast_as(text, type_double() if data_type == 'number' else type_money()) }}
    end
  {%- else -%}
    {{ exceptions.raise_compiler_error("cast_raw: unknown data_type '" ~ data_type ~ "' for column " ~ column) }}
  {%- endif -%}
{%- endmacro %}

{#- Comma-separated names of the columns whose raw text is present but did not cast; null when all parsed.
    `typed_columns` maps column name to the data_type given to cast_raw. -#}
{% macro invalid_fields(typed_columns) -%}
  nullif(concat_ws(','
  {%- for column, data_type in typed_columns.items() %},
    case
      when nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '') is not null
        and {{ cast_raw(column, data_type) }} is null
        then '{{ column }}'
    end
  {%- endfor %}
  ), '')
{%- endmacro %}

{#- A cast that returns null instead of failing. -#}
{% macro try_cast_as(expression, data_type) -%}
  {{ return(adapter.dispatch('try_cast_as', 'cx_warehouse')(expression, data_type)) }}
{%- endmacro %}

{% macro default__try_cast_as(expression, data_type) -%}
  {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{% macro duckdb__try_cast_as(expression, data_type) -%}
  try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{#- Text with an optional UTC offset ('2025-03-04T10:15:00+01:00', '...Z' or none = UTC) to a UTC timestamp
    without time zone. The loader writes every timestamp it can read as UTC with a Z. -#}
{% macro utc_timestamp(text_expression) -%}
  {{ return(adapter.dispatch('utc_timestamp', 'cx_warehouse')(text_expression)) }}
{%- endmacro %}

{% macro default__utc_timestamp(text_expression) -%}
  {#- Spark parses the offset and returns the instant in the session time zone, which the profile sets to UTC.
      -#}
  {{ try_cast_as(text_expression, dbt.type_timestamp()) }}
{%- endmacro %}

{% macro duckdb__utc_timestamp(text_expression) -%}
  {#- A plain timestamp cast would drop the offset; timestamptz applies it. Needs the TimeZone setting = UTC
      for values without an offset (set in profiles.yml). -#}
  cast(timezone('UTC', try_cast({{ text_expression }} as timestamptz)) as timestamp)
{%- endmacro %}
