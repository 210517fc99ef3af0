{#- Every spelling of every label and code column of the raw tables, as written (trimmed), with its number of
    rows: one row per source_table x source_column x spelling. The columns and their vocabularies come from
    the raw contract (role label or code; a label without a vocabulary is its own, named after the column).
    int_label_values picks each value's display label from these; mart_label_values reports the new ones. -#}
{%- set tables = checked_source_tables() -%}
{%- set columns = raw_contract_columns() | selectattr('role', 'in', ['label', 'code']) | list %}

with
{% for table in tables -%}
    {{ table.table }}_staged as (
        select * from {{ ref(table.staging) }}
    ),

{% endfor -%}
spellings as (
    {%- for column in columns %}
        {%- if not loop.first %}

            union all

        {%- endif %}
        select
            '{{ column.table }}' as source_table,
            '{{ column.name }}' as source_column,
            '{{ column.role }}' as column_role,
            '{{ column.vocabulary or column.name }}' as vocabulary,
            {{ column.name }} as spelling,
            count(*) as row_count
        from {{ column.table }}_staged
        where {{ column.name }} is not null
        group by {{ column.name }}
    {%- endfor %}
),

final as (
    select
        source_table,
        source_column,
        column_role,
        vocabulary,
        spelling,
        {{ label_key('spelling') }} as value_key,
        cast(row_count as {{ dbt.type_bigint() }}) as row_count
    from spellings
)

select * from final
