{#- One row per valid row and reference column whose parent is missing from the export or quarantined (an
    orphan): the row stays in every total it can be placed in, under an inferred member of the parent's
    dimension (dim_accounts, dim_contacts, dim_surveys), and is listed here with the key it points at. The
    references come from the raw contract (role reference or key with references, missing_parent orphan). -#}
{%- set tables = checked_source_tables() -%}
{%- set references = raw_contract_columns() | selectattr('references')
    | selectattr('missing_parent', 'equalto', 'orphan') | list %}

with
{% for table in tables -%}
    {{ table.table }}_checked as (
        select * from {{ ref('int_' ~ table.table ~ '__checked') }}
    ),

{% endfor -%}
orphans as (
    {%- for reference in references %}
        {%- if not loop.first %}

            union all

        {%- endif %}
        select
            '{{ reference.table }}' as source_table,
            record_key,
            '{{ reference.name }}' as reference_column,
            {{ reference.name }} as missing_key,
            '{{ reference.references }}' as parent_table,
            source_line_number
        from {{ reference.table }}_checked
        where
            quarantine_reason is null
            and {{ dbt.concat(["','", 'orphan_columns', "','"]) }} like '%,{{ reference.name }},%'
    {%- endfor %}
),

final as (
    select
        source_table,
        record_key,
        reference_column,
        missing_key,
        parent_table,
        source_line_number
    from orphans
)

select * from final
