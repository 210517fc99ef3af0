{#- Every raw row is either valid or quarantined, exactly once: fails for each table of the checked list where
    raw_rows <> valid_rows + quarantined_rows, and for each table missing from mart_raw_reconciliation. -#}
{%- set tables = checked_source_tables() -%}

with reconciliation as (
    select * from {{ ref('mart_raw_reconciliation') }}
),

expected_tables as (
    {%- for table in tables %}
        {%- if not loop.first %}

            union all

        {%- endif %}
        select '{{ table.table }}' as source_table
    {%- endfor %}
),

unbalanced as (
    select
        source_table,
        raw_rows,
        valid_rows,
        quarantined_rows,
        'raw_rows <> valid_rows + quarantined_rows' as failure
    from reconciliation
    where raw_rows <> valid_rows + quarantined_rows
),

missing as (
    select
        expected_tables.source_table,
        cast(null as {{ dbt.type_bigint() }}) as raw_rows,
        cast(null as {{ dbt.type_bigint() }}) as valid_rows,
        cast(null as {{ dbt.type_bigint() }}) as quarantined_rows,
        'table missing from mart_raw_reconciliation' as failure
    from expected_tables
    left join reconciliation
        on expected_tables.source_table = reconciliation.source_table
    where reconciliation.source_table is null
)

select * from unbalanced
union all
select * from missing
