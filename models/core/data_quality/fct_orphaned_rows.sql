{#- One row per valid raw row and reference whose parent is missing from the export or quarantined: the row
    counts (under an inferred member of the parent's dimension) and is listed here as a warning, with the key
    it points at and the line of the export it came from. -#}

with orphaned_references as (
    select * from {{ ref('int_orphaned_references') }}
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'source_table', "'|'", 'reference_column', "'|'", 'record_key',
        ])) }} as orphan_row_id,
        source_table,
        record_key,
        reference_column,
        missing_key,
        parent_table,
        source_line_number,
        {{ as_of_date_literal() }} as as_of_date
    from orphaned_references
)

select * from final
