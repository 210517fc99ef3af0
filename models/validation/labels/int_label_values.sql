{#- One row per vocabulary and value: the label a value is shown with. Spellings that differ only in case or
    spacing share a value_key (macro label_key) and are one value; seed label_synonyms maps spellings to a
    display label and merges synonyms ('Mid Market', 'mid-market' -> 'Mid-Market'); a value the seed does not
    know is shown in its most frequent spelling (ties: the first in sort order) and flagged is_in_seed =
    false. Used by the dimensions and the facts to show labels, never to reject a row. -#}

with spellings as (
    select * from {{ ref('int_label_spellings') }}
),

code_values as (
    select * from {{ ref('int_code_values') }}
),

{# The seed's spellings, keyed: a value's display label is the seed's code for it. #}
seeded as (
    select
        vocabulary,
        value_key,
        code as display_value
    from code_values
),

observed as (
    select
        vocabulary,
        value_key,
        spelling,
        sum(row_count) as row_count
    from spellings
    group by
        vocabulary,
        value_key,
        spelling
),

ranked_spellings as (
    select
        vocabulary,
        value_key,
        spelling,
        row_number() over (
            partition by vocabulary, value_key
            order by row_count desc, spelling asc
        ) as spelling_rank
    from observed
),

observed_values as (
    select
        vocabulary,
        value_key,
        sum(row_count) as row_count
    from observed
    group by
        vocabulary,
        value_key
),

all_values as (
    select
        vocabulary,
        value_key
    from observed_values
    union
    select
        vocabulary,
        value_key
    from seeded
),

final as (
    select
        all_values.vocabulary,
        all_values.value_key,
        coalesce(seeded.display_value, ranked_spellings.spelling) as display_value,
        seeded.display_value is not null as is_in_seed,
        cast(coalesce(observed_values.row_count, 0) as {{ dbt.type_bigint() }}) as row_count
    from all_values
    left join seeded
        on all_values.vocabulary = seeded.vocabulary
            and all_values.value_key = seeded.value_key
    left join ranked_spellings
        on all_values.vocabulary = ranked_spellings.vocabulary
            and all_values.value_key = ranked_spellings.value_key
            and ranked_spellings.spelling_rank = 1
    left join observed_values
        on all_values.vocabulary = observed_values.vocabulary
            and all_values.value_key = observed_values.value_key
)

select * from final
