{#- One row per quarantined raw row of every checked table, with the reason, the line of the export it came
    from, what was wrong with it (quarantine_detail: the loader's message, the value that lost to a newer
    copy, the code not in the vocabulary ...), what to do about it and the as-of day of the build. Copies of a
    duplicated key share record_key, so the row id adds a copy number. -#}
{%- set tables = checked_source_tables() -%}

with quarantine_reasons as (
    select * from {{ ref('quarantine_reasons') }}
),

{% for table in tables -%}
    {{ table.table }}_checked as (
        select * from {{ ref('int_' ~ table.table ~ '__checked') }}
    ),

{% endfor -%}
quarantined as (
    {%- for table in tables %}
        {%- if not loop.first %}

            union all

        {%- endif %}
        select
            '{{ table.table }}' as source_table,
            {{ table.table }}_checked.record_key,
            {{ table.table }}_checked.quarantine_reason,
            {{ table.table }}_checked.quarantine_column,
            {{ table.table }}_checked.quarantine_detail,
            {{ table.table }}_checked.source_line_number
        from {{ table.table }}_checked
        where {{ table.table }}_checked.quarantine_reason is not null
    {%- endfor %}
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
