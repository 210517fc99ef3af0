{#- The raw contract is declared once, in the sources YAML: each column's data_type and its role in
    config.meta (key, reference, label, code, measure, time, text; src/cx_warehouse/runtime/raw_contract.py explains
    them), and per table dated_by / version_by. dbt's graph holds the YAML only while models run, so the
    declaration reaches SQL through the generated macro raw_contract_declared()
    (macros/raw_contract_declared.sql, kept equal to the YAML by a test), which also works while dbt parses
    and in unit tests: models can derive their refs from it. -#}

{#- The kind of value a data_type holds: what cast_raw does with its text. -#}
{% macro raw_value_kind(data_type) -%}
  {%- set kinds = {
      'text': 'text', 'timestamp': 'timestamp', 'date': 'date', 'integer': 'integer', 'double': 'number',
      'decimal(18,2)': 'money', 'boolean': 'boolean',
  } -%}
  {%- set normalised = data_type | replace(' ', '') | lower -%}
  {%- if normalised not in kinds -%}
    {{ exceptions.raise_compiler_error("raw contract: data_type '" ~ data_type ~ "' is not one of " ~ kinds.keys() | list) }}
  {%- endif -%}
  {{ return(kinds[normalised]) }}
{%- endmacro %}

{#- One raw table's declaration: {'name', 'source', 'columns': [{'name', 'data_type', 'kind', 'role', and the
    column's meta with its defaults}], 'key': [key columns], 'dated_by', 'version_by'}. -#}
{% macro raw_table_contract(table_name) -%}
  {%- set declared = raw_contract_declared() -%}
  {%- if table_name not in declared -%}
    {{ exceptions.raise_compiler_error("raw contract: no table '" ~ table_name ~ "' in the sources YAML") }}
  {%- endif -%}
  {%- set table = declared[table_name] -%}
  {%- set columns = [] -%}
  {%- for column in table.columns -%}
    {%- set full = {
        'required': false, 'references': none, 'missing_parent': 'orphan', 'vocabulary': none,
        'unknown_code': none, 'keep_unknown': false, 'invalid_reason': 'invalid_category',
        'not_after_as_of': false, 'pii': false,
    } -%}
    {%- do full.update(column) -%}
    {%- do full.update({'kind': raw_value_kind(column.data_type)}) -%}
    {%- if full.role == 'key' -%}
      {%- do full.update({'required': true}) -%}
    {%- endif -%}
    {%- do columns.append(full) -%}
  {%- endfor -%}
  {{ return({
      'name': table_name,
      'source': table.source,
      'columns': columns,
      'key': columns | selectattr('role', 'equalto', 'key') | map(attribute='name') | list,
      'dated_by': table.dated_by,
      'version_by': table.version_by,
  }) }}
{%- endmacro %}

{#- How staging casts a column: codes stay text (they are matched to their vocabulary in the checked model),
    everything else by its data_type. -#}
{% macro staged_kind(column) -%}
  {{ return('text' if column.role == 'code' else column.kind) }}
{%- endmacro %}

{#- The body of a staging model stg_<source>__<table>: every contract column cast by its declared type (a
    value that does not parse becomes null and is named in invalid_fields), the row's position and line in the
    export and the loader's error for it. One row per raw row, no joins. -#}
{% macro stage_raw_table(table_name) -%}
{%- set contract = raw_table_contract(table_name) -%}
{%- set typed = {} -%}
{%- for column in contract.columns if staged_kind(column) != 'text' -%}
  {%- do typed.update({column.name: staged_kind(column)}) -%}
{%- endfor -%}

with source as (
    select * from {{ source(contract.source, table_name) }}
),

renamed as (
    select
        {%- for column in contract.columns %}
        {{ cast_raw(column.name, staged_kind(column)) }} as {{ column.name }},
        {%- endfor %}
        cast(_row_number as {{ dbt.type_bigint() }}) as source_row_number,
        cast(_line_number as {{ dbt.type_bigint() }}) as source_line_number,
        cast(_load_error as {{ dbt.type_string() }}) as load_error,
        cast(_load_detail as {{ dbt.type_string() }}) as load_detail,
        {{ invalid_fields(typed) if typed else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as invalid_fields
    from source
)

select * from renamed
{%- endmacro %}

{#- Every column of every raw table, each with its 'table' added: the lists that models reading all tables
    filter (e.g. | selectattr('role', 'equalto', 'label')). -#}
{% macro raw_contract_columns() -%}
  {%- set columns = [] -%}
  {%- for table_name in raw_contract_declared() -%}
    {%- for column in raw_table_contract(table_name).columns -%}
      {%- set with_table = {'table': table_name} -%}
      {%- do with_table.update(column) -%}
      {%- do columns.append(with_table) -%}
    {%- endfor -%}
  {%- endfor -%}
  {{ return(columns) }}
{%- endmacro %}
