{#- One row per language the responses are given in, as the marts show it: each value of the export's
    language column (case and spacing aside) with its display label from seed label_synonyms ('nb', 'nn',
    'Norsk' -> 'no'), else its most frequent spelling (int_label_values). -#}

with label_values as (
    select * from {{ ref('int_label_values') }}
    where vocabulary = 'language'
),

final as (
    select
        value_key as language_key,
        display_value as language,
        is_in_seed
    from label_values
)

select * from final
