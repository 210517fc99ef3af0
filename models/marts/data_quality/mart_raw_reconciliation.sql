{#- Every raw row is either valid or quarantined: per table, the raw file's row count next to the valid rows
    of its checked model and the rows of fct_quarantined_rows. tests/singular/assert_raw_rows_reconcile fails
    on any table where they do not add up. -#}
{%- set tables = checked_source_tables() -%}

with quarantined_rows as (
    select * from {{ ref('fct_quarantined_rows') }}
),

{% for table in tables -%}
    {{ table.table }}_raw as (
        select * from {{ source(table.source, table.table) }}
    ),

    {{ table.table }}_checked as (
        select * from {{ ref('int_' ~ table.table ~ '__checked') }}
    ),

{% endfor -%}
raw_counts as (
    {%- for table in tables %}
        {%- if not loop.first %}

            union all

        {%- endif %}
        select
            '{{ table.table }}' as source_table,
            count(*) as raw_rows
        from {{ table.table }}_raw
    {%- endfor %}
),

valid_counts as (
    {%- for table in tables %}
        {%- if not loop.first %}

            union all

        {%- endif %}
        select
            '{{ table.table }}' as source_table,
            count(*) as valid_rows
        from {{ table.table }}_checked
        where {{ table.table }}_checked.quarantine_reason is null
    {%- endfor %}
),

quarantined_counts as (
    select
        source_table,
        count(*) as quarantined_rows
    from quarantined_rows
    group by source_table
),

final as (
    select
        raw_counts.source_table,
        raw_counts.raw_rows,
        coalesce(valid_counts.valid_rows, 0) as valid_rows,
        coalesce(quarantined_counts.quarantined_rows, 0) as quarantined_rows
    from raw_counts
    left join valid_counts
        on raw_counts.source_table = valid_counts.source_table
    left join quarantined_counts
        on raw_counts.source_table = quarantined_counts.source_table
)

select * from final
