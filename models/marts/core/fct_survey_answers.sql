{#- One row per valid answer, scored: score_pct puts every scale on 0-100 with 100 the best experience
    (effort questions where a low score is good are turned round), and score_category applies the question's
    cut-offs from seed scale_cutoffs (for NPS: positive = promoter, passive = passive, negative = detractor).
    Questions without cut-offs (csi items, drivers, comments) and answers without a score get no category. -#}

with answers as (
    select * from {{ ref('int_survey_answers__checked') }}
    where quarantine_reason is null
),

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

questions as (
    select * from {{ ref('dim_survey_questions') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

joined as (
    select
        answers.response_id,
        answers.question_id,
        responses.survey_id,
        responses.touchpoint,
        questions.metric,
        questions.question_code,
        questions.driver_name,
        responses.account_id,
        accounts.industry,
        accounts.tier,
        accounts.region,
        accounts.employee_band,
        responses.submitted_at,
        responses.submitted_date,
        responses.submitted_month,
        answers.score,
        questions.scale_min,
        questions.scale_max,
        questions.higher_is_better,
        questions.positive_score_from,
        questions.positive_score_to,
        questions.passive_score_from,
        questions.passive_score_to,
        questions.csi_weight,
        answers.answer_text
    from answers
    inner join responses
        on answers.response_id = responses.response_id
    inner join questions
        on answers.question_id = questions.question_id
    left join accounts
        on responses.account_id = accounts.account_id
),

scored as (
    select
        joined.*,
        {# Cast before dividing: integer division truncates on some engines. #}
        cast(joined.score - joined.scale_min as {{ type_double() }}) * 100
        / nullif(joined.scale_max - joined.scale_min, 0) as raw_pct,
        case
            when joined.score is null or joined.positive_score_from is null then null
            when
                joined.score >= joined.positive_score_from
                and joined.score <= joined.positive_score_to
                then 'positive'
            when
                joined.score >= joined.passive_score_from
                and joined.score <= joined.passive_score_to
                then 'passive'
            else 'negative'
        end as score_category
    from joined
),

final as (
    select
        response_id,
        question_id,
        survey_id,
        touchpoint,
        metric,
        question_code,
        driver_name,
        account_id,
        industry,
        tier,
        region,
        employee_band,
        submitted_at,
        submitted_date,
        submitted_month,
        score,
        scale_min,
        scale_max,
        higher_is_better,
        case
            when higher_is_better then raw_pct
            when not higher_is_better then 100 - raw_pct
        end as score_pct,
        score_category,
        cast(
            case when score_category = 'positive' then 1 when score_category is not null then 0 end
            as {{ dbt.type_int() }}
        ) as is_positive,
        cast(
            case when score_category = 'passive' then 1 when score_category is not null then 0 end
            as {{ dbt.type_int() }}
        ) as is_passive,
        cast(
            case when score_category = 'negative' then 1 when score_category is not null then 0 end
            as {{ dbt.type_int() }}
        ) as is_negative,
        csi_weight,
        answer_text
    from scored
)

select * from final
