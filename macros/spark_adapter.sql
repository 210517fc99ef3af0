{#- Spark (dbt-spark) overrides of dbt's own macros. Each is dispatched by the adapter (spark__ prefix) and is
    picked up from the root project before dbt-spark's, so DuckDB never runs any of them. -#}

{#- Contracts. The mart YAML declares DuckDB's type names (varchar, double, bigint, decimal(p,s), date,
    timestamp, boolean). Spark rejects `varchar` without a length, so dbt's check of an enforced contract fails
    on the empty query it builds from the YAML. Here each declared type is mapped to its Spark name before that
    query is built; the check itself is dbt's, so the contract is still enforced column by column. -#}
{% macro spark__get_empty_schema_sql(columns) %}
  {%- set spark_columns = {} -%}
  {%- for name in columns -%}
    {%- set column = columns[name] -%}
    {%- set spark_column = {} -%}
    {%- do spark_column.update(column) -%}
    {%- if column.get('data_type') is not none -%}
      {%- do spark_column.update({'data_type': spark_contract_type(column['data_type'])}) -%}
    {%- endif -%}
    {%- do spark_columns.update({name: spark_column}) -%}
  {%- endfor -%}
  {{ return(dbt.default__get_empty_schema_sql(spark_columns)) }}
{% endmacro %}

{#- The Spark name of a contract type written for DuckDB: only the text types differ. -#}
{% macro spark_contract_type(data_type) -%}
  {%- set normalised = data_type | trim | lower -%}
  {%- if normalised in ('varchar', 'text') or normalised.startswith('varchar(') -%}
    {{ return(dbt.type_string()) }}
  {%- endif -%}
  {{ return(data_type) }}
{%- endmacro %}

{#- Seeds. dbt-spark's session method inlines seed values into the insert as '<value>' without escaping, so a
    seed text with an apostrophe ("the row's key") breaks the statement, and an empty field arrives as the
    text 'None'. This renders each value as a literal itself: null for an empty field, quotes and backslashes
    escaped, numbers and booleans bare. Literals work for every connection method, so this replaces dbt-spark's
    macro on all of them (seeds are small reference tables). -#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {%- set batch_size = get_batch_size() -%}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set statements = [] -%}
  {%- for chunk in agate_table.rows | batch(batch_size) -%}
    {%- set sql -%}
      insert into {{ this.render() }} values
      {% for row in chunk -%}
        ({%- for col_name in agate_table.column_names -%}
          {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
          {%- set type = column_override.get(col_name, inferred_type) -%}
          cast({{ spark_seed_literal(row[loop.index0]) }} as {{ type }})
          {%- if not loop.last %},{% endif -%}
        {%- endfor -%})
        {%- if not loop.last %},{% endif %}
      {% endfor %}
    {%- endset -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {%- if loop.index0 == 0 -%}
      {%- do statements.append(sql) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(statements[0]) }}
{% endmacro %}

{% macro spark_seed_literal(value) -%}
  {%- if value is none -%}
    null
  {%- elif value is sameas true or value is sameas false -%}
    {{ 'true' if value else 'false' }}
  {%- elif value is number -%}
    {{ value }}
  {%- else -%}
    '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
  {%- endif -%}
{%- endmacro %}
