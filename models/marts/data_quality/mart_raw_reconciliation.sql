{#- Every raw row is either valid or quarantined: per table, the export's row count (each checked model keeps
    exactly one row per staged row, which is one per raw row, malformed lines included; both tested) split into
    valid and quarantined rows (of which settled copies: duplicates and double submissions, whose other copy is
    counted), and how many of the valid rows are orphans. The shares are what the data-quality thresholds test
    (vars quarantine_warn_pct, quarantine_error_pct, orphan_warn_pct, orphan_error_pct): quarantined_pct counts
    the rows missing from the figures, not the settled copies, so an overlapping re-export does not fail a
    build. tests/singular/assert_raw_rows_reconcile fails on any table that is missing or whose counts do not
    add up. Every raw table has a row, an empty one too (checked_source_tables). -#}
with checked_rows as (
    select * from {{ ref('int_checked_rows') }}
),

quarantine_reasons as (
    select * from {{ ref('quarantine_reasons') }}
),

raw_tables as (
    {%- for table in checked_source_tables() %}
        {%- if not loop.first %}

            union all

        {%- endif %}
        select '{{ table.table }}' as source_table
    {%- endfor %}
),

counted as (
    select
        raw_tables.source_table,
        cast(count(checked_rows.source_row_number) as {{ dbt.type_bigint() }}) as raw_rows,
        cast(
            count(case when checked_rows.quarantine_reason is null then checked_rows.source_row_number end)
            as {{ dbt.type_bigint() }}
        ) as valid_rows,
        cast(count(checked_rows.quarantine_reason) as {{ dbt.type_bigint() }}) as quarantined_rows,
        cast(
            count(case when quarantine_reasons.is_settled_copy then 1 end) as {{ dbt.type_bigint() }}
        ) as settled_copies,
        cast(
            count(case when checked_rows.quarantine_reason is null then checked_rows.orphan_columns end)
            as {{ dbt.type_bigint() }}
        ) as orphaned_rows
    from raw_tables
    left join checked_rows
        on raw_tables.source_table = checked_rows.source_table
    left join quarantine_reasons
        on checked_rows.quarantine_reason = quarantine_reasons.reason_code
    group by raw_tables.source_table
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
