{#- Every spelling seed label_synonyms lists, keyed: one row per vocabulary and value_key (the spelling's key:
    trimmed, spaces collapsed, lower case; macro label_key), with the code it means (for a label, its display
    label: int_label_values), plus each currency of seed fx_rates as its own code. The checked models match
    their code columns here (macros/quarantine.sql), so 'NPS ', 'Net Promoter Score' and 'nps' are one metric,
    and 'ja' is true. -#}

with label_synonyms as (
    select * from {{ ref('label_synonyms') }}
),

fx_rates as (
    select * from {{ ref('fx_rates') }}
),

spellings as (
    select
        vocabulary,
        spelling,
        display_value as code
    from label_synonyms
    union all
    select
        'currency' as vocabulary,
        currency_code as spelling,
        currency_code as code
    from fx_rates
),

{# A currency is a code only with a rate: a synonym of a currency without one stays unknown_currency. #}
final as (
    select distinct
        cast(vocabulary as {{ dbt.type_string() }}) as vocabulary,
        {{ label_key('cast(spelling as ' ~ dbt.type_string() ~ ')') }} as value_key,
        cast(code as {{ dbt.type_string() }}) as code
    from spellings
    where vocabulary <> 'currency' or code in (select fx_rates.currency_code from fx_rates)
)

select * from final
