{#- Casting raw text to typed columns. Raw values arrive as text (see raw_file_reader); a value that does not
    parse becomes null here and is named in the row's invalid_fields, so the row can be quarantined. -#}

{% macro cast_raw(column, data_type) -%}
  {%- set text = "nullif(trim(cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")), '')" -%}
  {%- if data_type == 'text' -%}
    {{ text }}
  {%- elif data_type == 'timestamp' -%}
    {{ utc_timestamp(text) }}
  {%- elif data_type == 'date' -%}
    {{ try_cast_as(text, 'date') }}
  {%- elif data_type == 'integer' -%}
    {#- Through a double, so '3.5' fails instead of rounding (DuckDB) or truncating (Spark) to an integer. -#}
    {%- set number = try_cast_as(text, type_double()) -%}
    case when {{ number }} = floor({{ number }}) then cast({{ number }} as {{ dbt.type_bigint() }}) end
  {%- elif data_type == 'number' -%}
    {{ try_cast_as(text, type_double()) }}
  {%- elif data_type == 'money' -%}
    {{ try_cast_as(text, 'decimal(18, 2)') }}
  {%- elif data_type == 'boolean' -%}
    {{ try_cast_as('lower(' ~ text ~ ')', dbt.type_boolean()) }}
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
    without time zone. -#}
{% macro utc_timestamp(text_expression) -%}
  {{ return(adapter.dispatch('utc_timestamp', 'cx_warehouse')(text_expression)) }}
{%- endmacro %}

{% macro default__utc_timestamp(text_expression) -%}
  {#- Spark parses the offset and returns the instant in the session time zone, which the profile sets to UTC. -#}
  {{ try_cast_as(text_expression, dbt.type_timestamp()) }}
{%- endmacro %}

{% macro duckdb__utc_timestamp(text_expression) -%}
  {#- A plain timestamp cast would drop the offset; timestamptz applies it. Needs the TimeZone setting = UTC
      for values without an offset (set in profiles.yml). -#}
  cast(timezone('UTC', try_cast({{ text_expression }} as timestamptz)) as timestamp)
{%- endmacro %}

{#- An 8-byte floating point type (dbt.type_float() is a 4-byte float on DuckDB and Spark). -#}
{% macro type_double() -%}
  {{ return(adapter.dispatch('type_double', 'cx_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
  double
{%- endmacro %}

{% macro postgres__type_double() -%}
  double precision
{%- endmacro %}
