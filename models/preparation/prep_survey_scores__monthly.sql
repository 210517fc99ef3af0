{#- The categorised survey answers (metrics that have cut-offs in seed scale_cutoffs: nps, csat, ces) summed
    per month, metric, touchpoint and account segment. Every measure is additive, so the metric marts roll
    these rows up to quarters, years and coarser segments by summing, and compute the ratios last. `answers`
    counts answers with a score: the ones that fall in exactly one category. The metric and touchpoint come
    from dim_survey_questions (fct_survey_answers is narrow), the segments are the account's as they were
    when the answer was given (prep_survey_responses__accounts, the *_as_was columns; docs/history.md): a
    segment move does not rewrite the months before it. -#}

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

categorised_answers as (
    select
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
),

final as (
    select
        submitted_month,
        metric,
        touchpoint,
        industry,
        tier,
        region,
        employee_band,
        cast(count(*) as {{ dbt.type_bigint() }}) as answers,
        cast(sum(is_positive) as {{ dbt.type_bigint() }}) as positive_answers,
        cast(sum(is_passive) as {{ dbt.type_bigint() }}) as passive_answers,
        cast(sum(is_negative) as {{ dbt.type_bigint() }}) as negative_answers,
        sum(score_pct) as score_pct_sum
    from categorised_answers
    group by
        submitted_month,
        metric,
        touchpoint,
        industry,
        tier,
        region,
        employee_band
)

select * from final
