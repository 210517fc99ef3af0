{#- One row per account x snapshot: the close of every month end (the as-of day for the running month) at
    which the account is active (prep_account_period_status, month grain), with the churn-risk features as of that
    day and the label. Features use only what happened on or before the snapshot day, so a snapshot's
    features are what a model would have seen then; the label looks var('churn_risk_horizon_days') ahead.
    Survey scores (prep_account_survey_months), tickets and ARR are summed per account and month first, then windowed over
    var('churn_risk_window_months') months ending with the snapshot's month (and the same span before it for
    the trend), so the window joins pair months, not answers.
    Feature hook: the model's inputs are the rows of seed churn_risk_features; a new feature is a column added
    here plus a row there. Comment sentiment is summed per account and month in prep_account_survey_months
    and windowed here like the scores (null on Spark, where the sentiment model does not run). The account's
    segments come along for the marts. -#}

{%- set as_of = as_of_date_literal() -%}
{%- set horizon_days = checked_var('churn_risk_horizon_days', 'whole_number') -%}
{%- set window_months = checked_var('churn_risk_window_months', 'whole_number') | int -%}
{%- set survey_metrics = account_survey_metrics() -%}

with account_months as (
    select * from {{ ref('prep_account_period_status') }}
    where period_grain = 'month'
),

contracts as (
    select * from {{ ref('fct_contracts') }}
),

survey_months as (
    select * from {{ ref('prep_account_survey_months') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

tickets as (
    select * from {{ ref('int_support_tickets__checked') }}
    where quarantine_reason is null
),

onboarding_projects as (
    select * from {{ ref('int_onboarding_projects__checked') }}
    where quarantine_reason is null
),

onboarding as (
    select
        account_id,
        {{ reporting_date('kickoff_at') }} as kickoff_date,
        {{ reporting_date('go_live_at') }} as go_live_date
    from onboarding_projects
),

snapshots as (
    select
        account_id,
        period_start as snapshot_month,
        period_end as snapshot_date,
        arr_end_eur as arr_eur,
        cast({{ dbt.dateadd('day', horizon_days, 'period_end') }} as date) as label_window_end,
        {#- recent: the window's months up to the snapshot's; earlier: the same span just before it. -#}
        cast({{ dbt.dateadd('month', -window_months, 'period_start') }} as date) as recent_start,
        cast({{ dbt.dateadd('month', -2 * window_months, 'period_start') }} as date) as earlier_start
    from account_months
    where is_active_at_end
),

ticket_months as (
    select
        account_id,
        cast({{ dbt.date_trunc('month', reporting_date('created_at')) }} as date) as created_month,
        count(*) as tickets,
        sum(reopened_count) as reopenings
    from tickets
    group by
        account_id,
        cast({{ dbt.date_trunc('month', reporting_date('created_at')) }} as date)
),

survey_window_months as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        survey_months.submitted_month > snapshots.recent_start as is_recent,
        {%- for metric in survey_metrics %}
            survey_months.{{ metric }}_answers,
            survey_months.{{ metric }}_score_pct_sum,
        {%- endfor %}
        survey_months.survey_answers,
        survey_months.comment_sentiments,
        survey_months.comment_sentiment_sum
    from snapshots
    inner join survey_months
        on
            snapshots.account_id = survey_months.account_id
            and snapshots.earlier_start < survey_months.submitted_month
            and snapshots.snapshot_month >= survey_months.submitted_month
),

survey_windows as (
    select
        account_id,
        snapshot_date,
        {%- for metric in survey_metrics %}
            sum(case when is_recent then {{ metric }}_answers end) as {{ metric }}_answers_recent,
            sum(case when is_recent then {{ metric }}_score_pct_sum end) as {{ metric }}_score_pct_sum_recent,
            sum(case when not is_recent then {{ metric }}_answers end) as {{ metric }}_answers_earlier,
            sum(case when not is_recent then {{ metric }}_score_pct_sum end)
                as {{ metric }}_score_pct_sum_earlier,
        {%- endfor %}
        sum(case when is_recent then survey_answers end) as survey_answers_recent,
        sum(case when is_recent then comment_sentiments end) as comment_sentiments_recent,
        sum(case when is_recent then comment_sentiment_sum end) as comment_sentiment_sum_recent
    from survey_window_months
    group by
        account_id,
        snapshot_date
),

ticket_windows as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        sum(ticket_months.tickets) as tickets_recent,
        sum(ticket_months.reopenings) as reopenings_recent
    from snapshots
    inner join ticket_months
        on
            snapshots.account_id = ticket_months.account_id
            and snapshots.recent_start < ticket_months.created_month
            and snapshots.snapshot_month >= ticket_months.created_month
    group by
        snapshots.account_id,
        snapshots.snapshot_date
),

onboarding_windows as (
    {#- Onboarding time as known at the snapshot: to go-live, or to the snapshot while not live yet. -#}
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        onboarding.kickoff_date,
        case
            when onboarding.go_live_date <= snapshots.snapshot_date then onboarding.go_live_date
            else snapshots.snapshot_date
        end as onboarded_until
    from snapshots
    inner join onboarding
        on
            snapshots.account_id = onboarding.account_id
            and snapshots.snapshot_date >= onboarding.kickoff_date
),

onboarding_durations as (
    select
        account_id,
        snapshot_date,
        {#- the adapter's datediff renders longer than the line limit #}
        {{ dbt.datediff('kickoff_date', 'onboarded_until', 'day') }} as onboarding_days  -- noqa: LT05
    from onboarding_windows
),

first_contracts as (
    select
        account_id,
        min(start_date) as first_start_date
    from contracts
    group by account_id
),

renewals as (
    {#- Contracts renew on the anniversaries of the first contract's start (yearly terms): the first one after
        the snapshot day. The year difference gives an anniversary within a year of the snapshot on every engine
        (DuckDB counts year boundaries, others whole years); one on or before the snapshot moves a year on. It is
        bracketed: Spark's dateadd multiplies its interval by 12 unbracketed. -#}
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        cast({{ dbt.dateadd(
            'year',
            '(' ~ dbt.datediff('first_contracts.first_start_date', 'snapshots.snapshot_date', 'year') ~ ')',
            'first_contracts.first_start_date',
        ) }} as date) as anniversary
    from snapshots
    inner join first_contracts
        on snapshots.account_id = first_contracts.account_id
),

next_renewals as (
    select
        account_id,
        snapshot_date,
        case
            when anniversary > snapshot_date then anniversary
            else cast({{ dbt.dateadd('year', 1, 'anniversary') }} as date)
        end as next_renewal_date
    from renewals
),

horizon_status as (
    {#- Active at the close of the window's last day, by the contracts (as prep_account_period_status counts a
        position); and whether a quarantined contract or churn event concerns a month of the window. -#}
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        {{ dbt.bool_or('contracts.account_id is not null') }} as is_active_at_window_end
    from snapshots
    left join contracts
        on
            snapshots.account_id = contracts.account_id
            and snapshots.label_window_end >= contracts.start_date
            and coalesce(contracts.end_date, {{ as_of }}) >= snapshots.label_window_end
    group by
        snapshots.account_id,
        snapshots.snapshot_date
),

window_gaps as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        snapshots.label_window_end <= {{ as_of }} as is_window_complete,
        {{ dbt.bool_or('account_months.is_revenue_incomplete') }} as is_revenue_incomplete
    from snapshots
    inner join account_months
        on
            snapshots.account_id = account_months.account_id
            and snapshots.snapshot_date <= account_months.period_end
            and snapshots.label_window_end >= account_months.opening_date
    group by
        snapshots.account_id,
        snapshots.snapshot_date,
        snapshots.label_window_end
),

year_earlier as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        account_months.arr_end_eur as arr_year_earlier_eur
    from snapshots
    inner join account_months
        on
            snapshots.account_id = account_months.account_id
            and account_months.period_start
            = cast({{ dbt.dateadd('month', -12, 'snapshots.snapshot_month') }} as date)
),

final as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        accounts.tier,
        accounts.industry,
        accounts.region,
        accounts.employee_band,
        snapshots.label_window_end,
        snapshots.snapshot_date = {{ as_of }} as is_latest_snapshot,
        window_gaps.is_window_complete and not window_gaps.is_revenue_incomplete as is_labelled,
        case
            when window_gaps.is_window_complete and not window_gaps.is_revenue_incomplete
                then not horizon_status.is_active_at_window_end
        end as is_churned_in_window,
        cast(snapshots.arr_eur as {{ type_money() }}) as arr_eur,
        ln(cast(snapshots.arr_eur as {{ type_double() }}) + 1) as arr_log_eur,
        {%- for metric in survey_metrics %}
            cast(survey_windows.{{ metric }}_score_pct_sum_recent as {{ type_double() }})
            / survey_windows.{{ metric }}_answers_recent as {{ metric }}_mean_pct,
            cast(survey_windows.{{ metric }}_score_pct_sum_recent as {{ type_double() }})
            / survey_windows.{{ metric }}_answers_recent
            - cast(survey_windows.{{ metric }}_score_pct_sum_earlier as {{ type_double() }})
            / survey_windows.{{ metric }}_answers_earlier as {{ metric }}_trend_pct,
        {%- endfor %}
        coalesce(survey_windows.survey_answers_recent, 0) as survey_answers_recent,
        {#- null without a scored comment in the window (the pipeline imputes), as the score means -#}
        cast(survey_windows.comment_sentiment_sum_recent as {{ type_double() }})
        / survey_windows.comment_sentiments_recent as comment_sentiment_mean,
        coalesce(ticket_windows.tickets_recent, 0) as tickets_recent,
        coalesce(ticket_windows.reopenings_recent, 0) as reopenings_recent,
        onboarding_durations.onboarding_days,
        {{ dbt.datediff('first_contracts.first_start_date', 'snapshots.snapshot_date', 'day') }} as tenure_days,  -- noqa: LT05
        case when next_renewals.next_renewal_date <= snapshots.label_window_end then 1 else 0 end
            as is_renewal_in_window,
        case
            when year_earlier.arr_year_earlier_eur > 0
                then (cast(snapshots.arr_eur as {{ type_double() }}) - year_earlier.arr_year_earlier_eur)
                    / year_earlier.arr_year_earlier_eur * 100
        end as arr_change_pct_1y
    from snapshots
    inner join accounts
        on snapshots.account_id = accounts.account_id
    inner join first_contracts
        on snapshots.account_id = first_contracts.account_id
    inner join next_renewals
        on
            snapshots.account_id = next_renewals.account_id
            and snapshots.snapshot_date = next_renewals.snapshot_date
    inner join horizon_status
        on
            snapshots.account_id = horizon_status.account_id
            and snapshots.snapshot_date = horizon_status.snapshot_date
    inner join window_gaps
        on
            snapshots.account_id = window_gaps.account_id
            and snapshots.snapshot_date = window_gaps.snapshot_date
    left join survey_windows
        on
            snapshots.account_id = survey_windows.account_id
            and snapshots.snapshot_date = survey_windows.snapshot_date
    left join ticket_windows
        on
            snapshots.account_id = ticket_windows.account_id
            and snapshots.snapshot_date = ticket_windows.snapshot_date
    left join year_earlier
        on
            snapshots.account_id = year_earlier.account_id
            and snapshots.snapshot_date = year_earlier.snapshot_date
    left join onboarding_durations
        on
            snapshots.account_id = onboarding_durations.account_id
            and snapshots.snapshot_date = onboarding_durations.snapshot_date
)

select * from final
