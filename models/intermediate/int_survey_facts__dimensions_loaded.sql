{#- The dimension attributes the incremental survey facts (fct_survey_responses, fct_survey_answers) copied
    when they were last built: one row per dimension member. Built after the facts, so that the next night's
    facts can compare the dimensions with what they loaded and rebuild the days holding a changed member
    (macros/incremental.sql, survey_fact_changed_members; docs/incremental.md). The facts read it by name,
    not by ref, since it comes after them. -#}
-- depends_on: {{ ref('fct_survey_responses') }}
-- depends_on: {{ ref('fct_survey_answers') }}

with dimension_members as (
    {{ survey_fact_dimension_rows() }}
),

final as (
    select
        dimension,
        member_id,
        attributes
    from dimension_members
)

select * from final
