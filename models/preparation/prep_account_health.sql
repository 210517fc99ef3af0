{#- One row per account x period_grain x period_start for the accounts with ARR at the period's end (active
    at period_end, prep_account_period_status) or with an NPS respondent in the period, plus the unknown
    account '-1' when responses without a known account answered NPS in the period. Accounts with ARR and no
    answer are kept: they are the coverage gap.
    Account NPS (docs/account-health.md): the mean of the respondents' 0-10 scores (each respondent's latest
    answer in the period, prep_account_nps_respondents), put in a category by the NPS cut-offs of seed
    scale_cutoffs read as half-open bands (mean >= the promoter cut-off: promoter; >= the passive cut-off:
    passive; else detractor), so that each account counts once whatever its number of respondents. The
    decision makers' view is the same over the respondents whose is_decision_maker is true; unknown roles
    count in neither view's decision-maker part. The unknown account gets no category: it is not one account.
    The last answer is the account's latest valid survey response (any survey) on or before period_end, so a
    past period does not see later answers. Segments are the account's as is (dim_accounts), as in mart_churn.
    is_answered_recently: the last answer lies within the var revenue_coverage_days (90) days ending on
    period_end, that day included (days_since_last_answer 0 to 89).
-#}

{%- set days_since_last_answer = dbt.datediff('last_answers.last_answer_date', 'periods.period_end', 'day') %}
{%- set coverage_days = checked_var('revenue_coverage_days', 'whole_number') %}

with respondents as (
    select * from {{ ref('prep_account_nps_respondents') }}
),

responses as (
    select * from {{ ref('prep_survey_responses__accounts') }}
),

account_periods as (
    select * from {{ ref('prep_account_period_status') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

scale_cutoffs as (
    select * from {{ ref('scale_cutoffs') }}
),

nps_cutoffs as (
    select
        max(case when category = 'positive' then score_from end) as promoter_from,
        max(case when category = 'passive' then score_from end) as passive_from
    from scale_cutoffs
    where metric = 'nps' and scale_min = 0 and scale_max = 10
),

account_scores as (
    select
        account_id,
        period_grain,
        period_start,
        count(*) as respondents,
        sum(case when score_category = 'positive' then 1 else 0 end) as promoter_respondents,
        sum(case when score_category = 'passive' then 1 else 0 end) as passive_respondents,
        sum(case when score_category = 'negative' then 1 else 0 end) as detractor_respondents,
        sum(score) as score_sum,
        sum(case when is_decision_maker then 1 else 0 end) as decision_maker_respondents,
        sum(case when is_decision_maker then score else 0 end) as decision_maker_score_sum,
        sum(case when is_decision_maker is null then 1 else 0 end) as unknown_role_respondents
    from respondents
    group by
        account_id,
        period_grain,
        period_start
),

{# The latest response per account and month: a period sees the months up to its end, a few dozen rows per
   account instead of every response. #}
monthly_last_answers as (
    select
        account_id,
        submitted_month,
        max({{ reporting_date('submitted_at') }}) as last_answer_date
    from responses
    group by
        account_id,
        submitted_month
),

account_keys as (
    select
        account_id,
        period_grain,
        period_start
    from account_periods
    where is_active_at_end
    union
    select
        account_id,
        period_grain,
        period_start
    from account_scores
),

last_answers as (
    select
        account_keys.account_id,
        account_keys.period_grain,
        account_keys.period_start,
        max(monthly_last_answers.last_answer_date) as last_answer_date
    from account_keys
    inner join periods
        on account_keys.period_grain = periods.period_grain
            and account_keys.period_start = periods.period_start
    inner join monthly_last_answers
        on account_keys.account_id = monthly_last_answers.account_id
            and periods.period_end >= monthly_last_answers.submitted_month
    group by
        account_keys.account_id,
        account_keys.period_grain,
        account_keys.period_start
),

scored as (
    select
        account_keys.account_id,
        account_keys.period_grain,
        account_keys.period_start,
        coalesce(account_scores.respondents, 0) as respondents,
        coalesce(account_scores.promoter_respondents, 0) as promoter_respondents,
        coalesce(account_scores.passive_respondents, 0) as passive_respondents,
        coalesce(account_scores.detractor_respondents, 0) as detractor_respondents,
        coalesce(account_scores.score_sum, 0) as score_sum,
        coalesce(account_scores.decision_maker_respondents, 0) as decision_maker_respondents,
        coalesce(account_scores.decision_maker_score_sum, 0) as decision_maker_score_sum,
        coalesce(account_scores.unknown_role_respondents, 0) as unknown_role_respondents,
        cast(account_scores.score_sum as {{ type_double() }})
        / nullif(account_scores.respondents, 0) as mean_score,
        cast(account_scores.decision_maker_score_sum as {{ type_double() }})
        / nullif(account_scores.decision_maker_respondents, 0) as decision_maker_mean_score
    from account_keys
    left join account_scores
        on account_keys.account_id = account_scores.account_id
            and account_keys.period_grain = account_scores.period_grain
            and account_keys.period_start = account_scores.period_start
),

final as (
    select
        scored.account_id,
        scored.period_grain,
        scored.period_start,
        periods.period_end,
        periods.is_complete,
        scored.account_id = '-1' as is_unknown_account,
        coalesce(accounts.industry, 'unknown') as industry,
        coalesce(accounts.tier, 'unknown') as tier,
        coalesce(accounts.region, 'unknown') as region,
        coalesce(accounts.employee_band, 'unknown') as employee_band,
        scored.respondents,
        scored.promoter_respondents,
        scored.passive_respondents,
        scored.detractor_respondents,
        scored.score_sum,
        scored.mean_score,
        case
            when scored.account_id <> '-1' then {{ nps_mean_category('scored.mean_score', 'nps_cutoffs') }}
        end as account_category,
        scored.decision_maker_respondents,
        scored.decision_maker_score_sum,
        scored.decision_maker_mean_score,
        case
            when scored.account_id <> '-1'
                then {{ nps_mean_category('scored.decision_maker_mean_score', 'nps_cutoffs') }}
        end as decision_maker_category,
        scored.unknown_role_respondents,
        coalesce(account_periods.is_active_at_end, false) as is_active_at_end,
        coalesce(account_periods.is_revenue_incomplete, false) as is_revenue_incomplete,
        coalesce(account_periods.arr_end_eur, 0) as arr_eur,
        last_answers.last_answer_date,
        {{ days_since_last_answer }} as days_since_last_answer,
        coalesce(
            {{ days_since_last_answer }} < {{ coverage_days }},
            false
        ) as is_answered_recently
    from scored
    inner join periods
        on scored.period_grain = periods.period_grain
            and scored.period_start = periods.period_start
    cross join nps_cutoffs
    left join account_periods
        on scored.account_id = account_periods.account_id
            and scored.period_grain = account_periods.period_grain
            and scored.period_start = account_periods.period_start
    left join last_answers
        on scored.account_id = last_answers.account_id
            and scored.period_grain = last_answers.period_grain
            and scored.period_start = last_answers.period_start
    left join accounts
        on scored.account_id = accounts.account_id
)

select * from final
