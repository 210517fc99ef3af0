{#- One row per valid question, with its survey's touchpoint and the cut-offs that score it; its code and
    driver name shown as labels (int_label_values). The cut-offs
    come from seed scale_cutoffs (long: one row per category) and are pivoted to one column pair per
    category; a question whose metric, scale and orientation have no row there (csi items, drivers,
    comments) gets nulls. -#}

with questions as (
    select * from {{ ref('int_survey_questions__checked') }}
    where quarantine_reason is null
),

surveys as (
    select * from {{ ref('dim_surveys') }}
),

scale_cutoffs as (
    select * from {{ ref('scale_cutoffs') }}
),

label_values as (
    select * from {{ ref('int_label_values') }}
),

cutoffs_pivoted as (
    select
        cast(metric as {{ dbt.type_string() }}) as metric,
        cast(scale_min as {{ dbt.type_bigint() }}) as scale_min,
        cast(scale_max as {{ dbt.type_bigint() }}) as scale_max,
        cast(higher_is_better as {{ dbt.type_boolean() }}) as higher_is_better,
        cast(min(case when category = 'positive' then score_from end) as {{ dbt.type_bigint() }})
            as positive_score_from,
        cast(min(case when category = 'positive' then score_to end) as {{ dbt.type_bigint() }})
            as positive_score_to,
        cast(min(case when category = 'passive' then score_from end) as {{ dbt.type_bigint() }})
            as passive_score_from,
        cast(min(case when category = 'passive' then score_to end) as {{ dbt.type_bigint() }})
            as passive_score_to
    from scale_cutoffs
    group by
        cast(metric as {{ dbt.type_string() }}),
        cast(scale_min as {{ dbt.type_bigint() }}),
        cast(scale_max as {{ dbt.type_bigint() }}),
        cast(higher_is_better as {{ dbt.type_boolean() }})
),

final as (
    select
        questions.question_id,
        questions.survey_id,
        surveys.touchpoint,
        {{ label_display('question_code_label') }} as question_code,
        questions.metric,
        questions.scale_min,
        questions.scale_max,
        questions.higher_is_better,
        questions.weight as csi_weight,
        case
            when questions.driver_name is not null then {{ label_display('driver_name_label') }}
        end as driver_name,
        cutoffs_pivoted.positive_score_from,
        cutoffs_pivoted.positive_score_to,
        cutoffs_pivoted.passive_score_from,
        cutoffs_pivoted.passive_score_to
    from questions
    inner join surveys
        on questions.survey_id = surveys.survey_id
    {{ label_value_join('label_values', 'question_code', 'questions.question_code', 'question_code_label') }}
    {{ label_value_join('label_values', 'driver_name', 'questions.driver_name', 'driver_name_label') }}
    left join cutoffs_pivoted
        on questions.metric = cutoffs_pivoted.metric
            and questions.scale_min = cutoffs_pivoted.scale_min
            and questions.scale_max = cutoffs_pivoted.scale_max
            and questions.higher_is_better = cutoffs_pivoted.higher_is_better
)

select * from final
