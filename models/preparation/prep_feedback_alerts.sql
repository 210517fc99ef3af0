{#- One row per closed-loop alert: a valid NPS, CSAT or CES answer in its question's negative category (seed
    scale_cutoffs: an NPS detractor, a CSAT or CES answer below the top box), with the follow-up case on its
    response, the due time of the first contact (macros/feedback_sla.sql) and the alert's status at the end
    of the as-of day. A response with several cases is followed up by the first one opened; a response
    without a case is owned by its account's manager. -#}

{%- set as_of_end = as_of_end_timestamp() -%}

with answers as (
    select * from {{ ref('fct_survey_answers') }}
),

questions as (
    select * from {{ ref('dim_survey_questions') }}
),

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

cases as (
    select * from {{ ref('int_feedback_cases__checked') }}
    where quarantine_reason is null
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

contracts as (
    select * from {{ ref('fct_contracts') }}
),

alert_answers as (
    select
        answers.response_id,
        answers.question_id,
        questions.metric,
        answers.score,
        answers.account_id,
        answers.submitted_date as answered_on
    from answers
    inner join questions
        on answers.question_id = questions.question_id
    where
        questions.metric in ('nps', 'csat', 'ces')
        and answers.score_category = 'negative'
),

{# A survey asks one open question ("the main reason for your score"); should it ask more, the first one
   answered (by question key) is shown. #}
ranked_comments as (
    select
        answers.response_id,
        answers.answer_text,
        row_number() over (
            partition by answers.response_id
            order by answers.question_id nulls last
        ) as comment_rank
    from answers
    inner join questions
        on answers.question_id = questions.question_id
    where
        questions.metric = 'comment'
        and answers.answer_text is not null
),

ranked_cases as (
    select
        cases.response_id,
        cases.case_id,
        cases.owner,
        cases.opened_at,
        cases.first_contact_at,
        cases.closed_at,
        cases.outcome,
        row_number() over (
            partition by cases.response_id
            order by cases.opened_at nulls last, cases.case_id nulls last
        ) as case_rank
    from cases
),

{# ARR at stake when the customer answered: the contracts running on the answer's day. #}
answer_arr as (
    select
        alert_answers.response_id,
        alert_answers.question_id,
        sum(contracts.arr_eur) as arr_eur
    from alert_answers
    inner join contracts
        on alert_answers.account_id = contracts.account_id
            and alert_answers.answered_on >= contracts.start_date
            and alert_answers.answered_on <= coalesce(contracts.end_date, {{ as_of_date_literal() }})
    group by
        alert_answers.response_id,
        alert_answers.question_id
),

alerts as (
    select
        alert_answers.response_id,
        alert_answers.question_id,
        alert_answers.metric,
        alert_answers.score,
        responses.touchpoint,
        alert_answers.account_id,
        accounts.account_name,
        coalesce(answer_arr.arr_eur, 0) as arr_eur,
        responses.submitted_at as answered_at,
        alert_answers.answered_on,
        ranked_comments.answer_text as comment_text,
        ranked_cases.case_id,
        coalesce(ranked_cases.owner, accounts.account_manager, 'unknown') as owner,
        case when ranked_cases.owner is not null then 'case_owner' else 'account_manager' end as owner_source,
        {{ feedback_due_at('responses.submitted_at') }} as due_at,
        ranked_cases.opened_at as case_opened_at,
        ranked_cases.first_contact_at,
        ranked_cases.closed_at as case_closed_at,
        ranked_cases.outcome as case_outcome
    from alert_answers
    inner join responses
        on alert_answers.response_id = responses.response_id
    left join accounts
        on alert_answers.account_id = accounts.account_id
    left join answer_arr
        on alert_answers.response_id = answer_arr.response_id
            and alert_answers.question_id = answer_arr.question_id
    left join ranked_comments
        on alert_answers.response_id = ranked_comments.response_id
            and ranked_comments.comment_rank = 1
    left join ranked_cases
        on alert_answers.response_id = ranked_cases.response_id
            and ranked_cases.case_rank = 1
),

{# Contacted at the due time itself is in time; an alert is overdue once its due time lies before the end
   of the as-of day. #}
final as (
    select
        *,
        case
            when first_contact_at <= due_at then 'closed_in_time'
            when first_contact_at is not null then 'closed_late'
            when due_at < {{ as_of_end }} then 'overdue'
            else 'open_within_sla'
        end as alert_status
    from alerts
)

select * from final
