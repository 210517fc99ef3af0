{#- Every raw row is either valid or quarantined: per table, the export's row count (its staging model holds
    exactly one row per raw row, malformed lines included, tested) next to the valid rows of its checked model
    and the rows of fct_quarantined_rows (of which settled copies: duplicates and double submissions, whose
    other copy is counted), and how many of the valid rows are orphans (fct_orphaned_rows). The shares are what
    the data-quality thresholds test (vars quarantine_warn_pct, quarantine_error_pct, orphan_warn_pct,
    orphan_error_pct): quarantined_pct counts the rows missing from the figures, not the settled copies, so an
    overlapping re-export does not fail a build. tests/singular/assert_raw_rows_reconcile fails on any table where the
    counts do not add up. -#}
{%- set tables = checked_source_tables() -%}

with quarantined_rows as (
    select * from {{ ref('fct_quarantined_rows') }}
),

quarantine_reasons as (
    select * from {{ ref('quarantine_reasons') }}
),

{% for table in tables -%}
    {{ table.table }}_staged as (
        select * from {{ ref(table.staging) }}
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
        from {{ table.table }}_staged
    {%- endfor %}
),

valid_counts as (
    {%- for table in tables %}
        {%- if not loop.first %}

            union all

        {%- endif %}
        select
            '{{ table.table }}' as source_table,
            count(*) as valid_rows,
            count(orphan_columns) as orphaned_rows
        from {{ table.table }}_checked
        where quarantine_reason is null
    {%- endfor %}
),

quarantined_counts as (
    select
        quarantined_rows.source_table,
        count(*) as quarantined_rows,
        count(case when quarantine_reasons.is_settled_copy then 1 end) as settled_copies
    from quarantined_rows
    left join quarantine_reasons
        on quarantined_rows.quarantine_reason = quarantine_reasons.reason_code
    group by quarantined_rows.source_table
),

counted as (
    select
        raw_counts.source_table,
        cast(raw_counts.raw_rows as {{ dbt.type_bigint() }}) as raw_rows,
        cast(coalesce(valid_counts.valid_rows, 0) as {{ dbt.type_bigint() }}) as valid_rows,
        cast(coalesce(quarantined_counts.quarantined_rows, 0) as {{ dbt.type_bigint() }}) as quarantined_rows,
        cast(coalesce(quarantined_counts.settled_copies, 0) as {{ dbt.type_bigint() }}) as settled_copies,
        cast(coalesce(valid_counts.orphaned_rows, 0) as {{ dbt.type_bigint() }}) as orphaned_rows
    from raw_counts
    left join valid_counts
        on raw_counts.source_table = valid_counts.source_table
    left join quarantined_counts
        on raw_counts.source_table = quarantined_counts.source_table
),

final as (
    select
        source_table,
        raw_rows,
        valid_rows,
        quarantined_rows,
        settled_copies,
        orphaned_rows,
        cast(quarantined_rows - settled_copies as {{ type_double() }}) * 100 / nullif(raw_rows, 0)
            as quarantined_pct,
        cast(orphaned_rows as {{ type_double() }}) * 100 / nullif(raw_rows, 0) as orphaned_pct
    from counted
)

select * from final
