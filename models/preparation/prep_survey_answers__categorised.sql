{#- One row per categorised survey answer (a metric that seed scale_cutoffs scores: nps, csat, ces, and a
    score), with its question's metric and touchpoint and the account's segments as they were when the answer
    was given (prep_survey_responses__accounts, the *_as_was columns; docs/history.md). The one place that
    decides which answers count towards NPS, CSAT and CES: prep_survey_scores__monthly sums it per month for
    the metric marts, and the semantic layer (models/semantic/) sums the same rows, so both give the same
    figures. A view: the answers stay narrow in storage (fct_survey_answers), and the joins run where the rows
    are summed. -#}
{{ config(materialized='view') }}

with answers as (
    select * from {{ ref('fct_survey_answers') }}
),

questions as (
    select * from {{ ref('dim_survey_questions') }}
),

response_accounts as (
    select * from {{ ref('prep_survey_responses__accounts') }}
),

scale_cutoffs as (
    select * from {{ ref('scale_cutoffs') }}
),

scored_metrics as (
    select distinct cast(metric as {{ dbt.type_string() }}) as metric
    from scale_cutoffs
),

final as (
    select
        answers.response_id,
        answers.question_id,
        answers.account_id,
        answers.submitted_date,
        answers.submitted_month,
        questions.metric,
        questions.touchpoint,
        response_accounts.industry_as_was as industry,
        response_accounts.tier_as_was as tier,
        response_accounts.region_as_was as region,
        response_accounts.employee_band_as_was as employee_band,
        answers.is_positive,
        answers.is_passive,
        answers.is_negative,
        answers.score_pct
    from answers
    inner join questions
        on answers.question_id = questions.question_id
    inner join scored_metrics
        on questions.metric = scored_metrics.metric
    left join response_accounts
        on answers.response_id = response_accounts.response_id
    where answers.score is not null
)

select * from final
