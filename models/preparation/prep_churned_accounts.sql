{#- One row per account x period_grain x period_start in which the account churned as mart_churn counts it
    (prep_account_period_status: active at the opening, not at the end, revenue complete), with the ARR it
    took (its ARR at the opening), the day it left (the last day one of its contracts ran), the reason the CRM
    recorded (fct_churn_events: one event per account; 'unknown' when none was recorded or it gives no reason)
    and the NPS category of the account's last NPS answer on or before the day it left; with the account's
    segments as is (dim_accounts), which mart_churn_reasons cuts by. -#}

with account_periods as (
    select * from {{ ref('prep_account_period_status') }}
),

contracts as (
    select * from {{ ref('fct_contracts') }}
),

churn_events as (
    select * from {{ ref('fct_churn_events') }}
),

answers as (
    select * from {{ ref('fct_survey_answers') }}
),

questions as (
    select * from {{ ref('dim_survey_questions') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

churned as (
    select
        account_id,
        period_grain,
        period_start,
        opening_date,
        period_end,
        arr_start_eur as arr_churned_eur
    from account_periods
    where
        is_active_at_start
        and not is_active_at_end
        and not is_revenue_incomplete
),

{# Active at the opening and not at period_end: its last running contract ended in between. #}
leaving_days as (
    select
        churned.account_id,
        churned.period_grain,
        churned.period_start,
        max(contracts.end_date) as left_on
    from churned
    inner join contracts
        on churned.account_id = contracts.account_id
            and churned.opening_date <= contracts.end_date
            and churned.period_end > contracts.end_date
    group by
        churned.account_id,
        churned.period_grain,
        churned.period_start
),

nps_answers as (
    select
        answers.account_id,
        answers.response_id,
        answers.submitted_date,
        answers.score,
        answers.score_category
    from answers
    inner join questions
        on answers.question_id = questions.question_id
    where
        questions.metric = 'nps'
        and answers.score_category is not null
),

{# The last answer on or before the day the account left; of several that day, the lowest score (the least
   loyal voice of the account counts), then the response key. #}
ranked_answers as (
    select
        leaving_days.account_id,
        leaving_days.period_grain,
        leaving_days.period_start,
        nps_answers.submitted_date,
        nps_answers.score_category,
        row_number() over (
            partition by leaving_days.account_id, leaving_days.period_grain, leaving_days.period_start
            order by
                nps_answers.submitted_date desc nulls last,
                nps_answers.score asc nulls last,
                nps_answers.response_id asc nulls last
        ) as answer_rank
    from leaving_days
    inner join nps_answers
        on leaving_days.account_id = nps_answers.account_id
            and leaving_days.left_on >= nps_answers.submitted_date
),

final as (
    select
        churned.account_id,
        churned.period_grain,
        churned.period_start,
        leaving_days.left_on,
        churned.arr_churned_eur,
        churn_events.account_id is not null as has_churn_event,
        coalesce(churn_events.reason_category, 'unknown') as reason_category,
        ranked_answers.submitted_date as last_nps_answered_on,
        case ranked_answers.score_category
            when 'positive' then 'promoter'
            when 'passive' then 'passive'
            when 'negative' then 'detractor'
            else 'no_answer'
        end as last_nps_category,
        accounts.{{ account_segment_columns() | join(',\n        accounts.') }}
    from churned
    left join leaving_days
        on churned.account_id = leaving_days.account_id
            and churned.period_grain = leaving_days.period_grain
            and churned.period_start = leaving_days.period_start
    left join churn_events
        on churned.account_id = churn_events.account_id
    left join accounts
        on churned.account_id = accounts.account_id
    left join ranked_answers
        on churned.account_id = ranked_answers.account_id
            and churned.period_grain = ranked_answers.period_grain
            and churned.period_start = ranked_answers.period_start
            and ranked_answers.answer_rank = 1
)

select * from final
