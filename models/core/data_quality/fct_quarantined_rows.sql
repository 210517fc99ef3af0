{#- One row per quarantined raw row of every checked table, with the reason, the line of the export it came
    from, what was wrong with it (quarantine_detail: the loader's message, the value that lost to a newer
    copy, the code not in the vocabulary ...), what to do about it and the as-of day of the build. Copies of a
    duplicated key share record_key, so the row id adds a copy number. The rows of every table come from
    int_checked_rows. -#}
with checked_rows as (
    select * from {{ ref('int_checked_rows') }}
),

quarantine_reasons as (
    select * from {{ ref('quarantine_reasons') }}
),

quarantined as (
    select
        source_table,
        record_key,
        quarantine_reason,
        quarantine_column,
        quarantine_detail,
        source_line_number
    from checked_rows
    where quarantine_reason is not null
),

numbered as (
    select
        quarantined.*,
        row_number() over (
            partition by quarantined.source_table, quarantined.record_key, quarantined.quarantine_reason
            order by
                quarantined.source_line_number asc nulls last,
                quarantined.quarantine_column asc nulls last
        ) as copy_number
    from quarantined
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'numbered.source_table', "'|'",
            'numbered.quarantine_reason', "'|'",
            'cast(numbered.copy_number as ' ~ dbt.type_string() ~ ')', "'|'",
            'numbered.record_key',
        ])) }} as quarantine_row_id,
        numbered.source_table,
        numbered.record_key,
        numbered.quarantine_reason,
        numbered.quarantine_column,
        numbered.quarantine_detail,
        numbered.source_line_number,
        quarantine_reasons.description as reason_description,
        quarantine_reasons.what_to_do,
        {{ as_of_date_literal() }} as as_of_date
    from numbered
    left join quarantine_reasons
        on numbered.quarantine_reason = quarantine_reasons.reason_code
)

select * from final
