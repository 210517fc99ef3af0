{#- One row per account x period_grain x period_start x respondent: the respondent's latest NPS answer in the
    period (their current view; an earlier answer of the same person in the period does not count twice),
    with whether they are a decision maker. A respondent is a contact; responses of the unknown contact '-1'
    (no contact named) are different people, so each such response is its own respondent. A response whose
    contact the CRM lacks counts under the unknown account '-1' (fct_survey_responses), so it still counts in
    the respondent totals of mart_account_health_by_segment. is_decision_maker stays null when unknown. -#}

with answers as (
    select * from {{ ref('fct_survey_answers') }}
),

questions as (
    select * from {{ ref('dim_survey_questions') }}
),

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

contacts as (
    select * from {{ ref('dim_contacts') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

nps_answers as (
    select
        answers.account_id,
        case
            when responses.contact_id = '-1' then {{ dbt.concat(["'response:'", 'responses.response_id']) }}
            else responses.contact_id
        end as respondent_key,
        responses.response_id,
        responses.submitted_at,
        answers.submitted_date,
        answers.score,
        answers.score_category,
        contacts.is_decision_maker
    from answers
    inner join questions
        on answers.question_id = questions.question_id
    inner join responses
        on answers.response_id = responses.response_id
    left join contacts
        on responses.contact_id = contacts.contact_id
    where
        questions.metric = 'nps'
        and answers.score is not null
),

ranked as (
    select
        nps_answers.*,
        periods.period_grain,
        periods.period_start,
        row_number() over (
            partition by
                nps_answers.account_id,
                periods.period_grain,
                periods.period_start,
                nps_answers.respondent_key
            order by nps_answers.submitted_at desc, nps_answers.response_id desc
        ) as recency_rank
    from nps_answers
    inner join periods
        on nps_answers.submitted_date >= periods.period_start
            and nps_answers.submitted_date <= periods.period_end
),

final as (
    select
        account_id,
        period_grain,
        period_start,
        respondent_key,
        response_id,
        submitted_date,
        score,
        score_category,
        is_decision_maker
    from ranked
    where recency_rank = 1
)

select * from final
