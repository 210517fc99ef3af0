{#- Every spelling of every label and code column, with how the warehouse shows or reads it: one row per
    source_table x source_column x spelling (as written, trimmed). shown_as is the label the marts show (a
    label) or the code the warehouse acts on (a code; null when the spelling is unknown: its row quarantined,
    or, for a code declared keep_unknown, kept with the code empty).
    is_new_value marks a spelling whose value seed label_synonyms does not list, in a vocabulary it lists:
    a value to check and, if it means a known one, to map in the seed. Nothing here rejects a row. -#}
{%- set codes = raw_contract_columns() | selectattr('role', 'equalto', 'code') | list %}

with spellings as (
    select * from {{ ref('int_label_spellings') }}
),

label_values as (
    select * from {{ ref('int_label_values') }}
),

code_values as (
    select * from {{ ref('int_code_values') }}
),

seeded_vocabularies as (
    select distinct vocabulary from code_values
),

{# The code columns whose unknown spellings count as a fallback code instead of quarantining the row. #}
code_fallbacks as (
    {%- for column in codes %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ column.table }}' as source_table,
            '{{ column.name }}' as source_column,
            {{ sql_string_literal(column.unknown_code) if column.unknown_code
                else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as unknown_code
    {%- endfor %}
),

described as (
    select
        spellings.source_table,
        spellings.source_column,
        spellings.column_role,
        spellings.vocabulary,
        spellings.spelling,
        spellings.row_count,
        case
            when spellings.column_role = 'label' then label_values.display_value
            else coalesce(code_values.code, code_fallbacks.unknown_code)
        end as shown_as,
        seeded_vocabularies.vocabulary is not null and code_values.code is null as is_new_value
    from spellings
    left join label_values
        on spellings.vocabulary = label_values.vocabulary
            and spellings.value_key = label_values.value_key
    left join code_values
        on spellings.vocabulary = code_values.vocabulary
            and spellings.value_key = code_values.value_key
    left join seeded_vocabularies
        on spellings.vocabulary = seeded_vocabularies.vocabulary
    left join code_fallbacks
        on spellings.source_table = code_fallbacks.source_table
            and spellings.source_column = code_fallbacks.source_column
),

final as (
    select
        {{ dbt.hash(dbt.concat(['source_table', "'|'", 'source_column', "'|'", 'spelling'])) }}
            as label_value_id,
        source_table,
        source_column,
        column_role,
        vocabulary,
        spelling,
        shown_as,
        row_count,
        is_new_value,
        {{ as_of_date_literal() }} as as_of_date
    from described
)

select * from final
