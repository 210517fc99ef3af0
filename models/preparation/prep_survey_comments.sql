{#- One row per open comment (an answer to a question of metric 'comment' with text), with what the comment
    marts cut by: the response's month, touchpoint and account segments "as was" (prep_survey_responses__accounts),
    its language label and the NPS category of the same response's NPS answer ('none' without one). Holds the
    comment text, which may contain personal data: read by the Python models prep_comment_sentiment and
    prep_comment_themes; the marts take everything but the text. -#}

with answers as (
    select * from {{ ref('fct_survey_answers') }}
),

questions as (
    select * from {{ ref('dim_survey_questions') }}
),

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

response_accounts as (
    select * from {{ ref('prep_survey_responses__accounts') }}
),

comments as (
    select
        answers.response_id,
        answers.question_id,
        answers.answer_text as comment_text
    from answers
    inner join questions
        on answers.question_id = questions.question_id
    where
        questions.metric = 'comment'
        and trim(answers.answer_text) <> ''
),

{# A survey asks the NPS question once; a response without it has no category. #}
nps_answers as (
    select
        answers.response_id,
        case answers.score_category
            when 'positive' then 'promoter'
            when 'passive' then 'passive'
            when 'negative' then 'detractor'
        end as nps_category
    from answers
    inner join questions
        on answers.question_id = questions.question_id
    where questions.metric = 'nps'
),

final as (
    select
        comments.response_id,
        comments.question_id,
        responses.submitted_month,
        responses.touchpoint,
        response_accounts.industry_as_was as industry,
        response_accounts.tier_as_was as tier,
        response_accounts.region_as_was as region,
        response_accounts.employee_band_as_was as employee_band,
        responses.language as language_label,
        coalesce(nps_answers.nps_category, 'none') as nps_category,
        comments.comment_text
    from comments
    inner join responses
        on comments.response_id = responses.response_id
    inner join response_accounts
        on comments.response_id = response_accounts.response_id
    left join nps_answers
        on comments.response_id = nps_answers.response_id
)

select * from final
