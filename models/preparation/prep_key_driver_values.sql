{#- The variables of the key driver analysis, one row per NPS response and variable: the NPS score itself
    (variable 'nps'), each driver question answered in the same response (variable: its driver_name), and
    the account's operational figures from before the response (the operational drivers of seed
    metric_cascade, with their definitions in prep_metric_components__operations): the median hours to the
    first reply and to the solve of its tickets created in the var('key_drivers_support_window_days') days
    before the response and answered / solved by then, the percentage of those solved at the first contact
    (never reopened, at most var('first_contact_max_agent_replies') agent replies), and the days its
    onboarding took when it went live before the response. A figure the account does not have (no ticket in
    the window) is no row: the co-moments are pairwise complete. is_good says whether the value meets the
    variable's target (promoter for NPS, top-2-box for a question, the seed's target in its direction). -#}
{%- set max_replies = checked_var('first_contact_max_agent_replies', 'whole_number') %}

with answers as (
    select * from {{ ref('fct_survey_answers') }}
),

questions as (
    select * from {{ ref('dim_survey_questions') }}
),

response_accounts as (
    select * from {{ ref('prep_survey_responses__accounts') }}
),

tickets as (
    select * from {{ ref('int_support_tickets__checked') }}
    where quarantine_reason is null
),

onboarding_projects as (
    select * from {{ ref('int_onboarding_projects__checked') }}
    where quarantine_reason is null
),

targets as (
    select * from {{ ref('metric_cascade') }}
    where cascade_level = 'operational_driver'
),

scored_answers as (
    select
        answers.response_id,
        answers.survey_id,
        answers.score,
        answers.is_positive,
        questions.metric,
        questions.driver_name,
        {#- top-2-box: the two best points of the question's scale #}
        case
            when questions.higher_is_better then answers.score >= questions.scale_max - 1
            else answers.score <= questions.scale_min + 1
        end as is_top_two_box
    from answers
    inner join questions
        on answers.question_id = questions.question_id
    where answers.score is not null
),

nps_responses as (
    select
        scored_answers.response_id,
        scored_answers.survey_id,
        response_accounts.account_id,
        response_accounts.submitted_at,
        {{ dbt.dateadd(
            'day', -var('key_drivers_support_window_days') | int, 'response_accounts.submitted_at'
        ) }} as support_window_start,
        response_accounts.submitted_month,
        response_accounts.industry_as_was as industry,
        response_accounts.tier_as_was as tier,
        response_accounts.region_as_was as region,
        response_accounts.employee_band_as_was as employee_band,
        scored_answers.score as nps_score,
        scored_answers.is_positive as is_promoter
    from scored_answers
    inner join response_accounts
        on scored_answers.response_id = response_accounts.response_id
    where scored_answers.metric = 'nps'
),

question_values as (
    select
        scored_answers.response_id,
        cast(scored_answers.driver_name as {{ dbt.type_string() }}) as variable_key,
        scored_answers.score as variable_value,
        case when scored_answers.is_top_two_box then 1 else 0 end as is_good
    from scored_answers
    where scored_answers.metric = 'driver' and scored_answers.driver_name is not null
),

ticket_durations as (
    select
        account_id,
        created_at,
        first_response_at,
        solved_at,
        {#- the adapter's datediff renders longer than the line limit #}
        {{ dbt.datediff('created_at', 'first_response_at', 'second') }} / 3600.0 as first_response_hours,  -- noqa: LT05
        {{ dbt.datediff('created_at', 'solved_at', 'second') }} / 3600.0 as resolution_hours,  -- noqa: LT05
        case
            when agent_replies <= {{ max_replies }} and reopened_count = 0 then 100.0 else 0.0
        end as first_contact_resolution
    from tickets
),

{# Only what the account had seen by the response: replies and solves before it. #}
recent_tickets as (
    select
        nps_responses.response_id,
        case
            when ticket_durations.first_response_at <= nps_responses.submitted_at
                then ticket_durations.first_response_hours
        end as first_response_hours,
        case
            when ticket_durations.solved_at <= nps_responses.submitted_at
                then ticket_durations.resolution_hours
        end as resolution_hours,
        case
            when ticket_durations.solved_at <= nps_responses.submitted_at
                then ticket_durations.first_contact_resolution
        end as first_contact_resolution
    from nps_responses
    inner join ticket_durations
        on
            nps_responses.account_id = ticket_durations.account_id
            and nps_responses.support_window_start <= ticket_durations.created_at
            and nps_responses.submitted_at > ticket_durations.created_at
),

support_figures as (
    select
        response_id,
        percentile_cont(0.5) within group (order by first_response_hours) as first_response_hours,
        percentile_cont(0.5) within group (order by resolution_hours) as resolution_hours,
        avg(first_contact_resolution) as first_contact_resolution
    from recent_tickets
    group by response_id
),

operational_values as (
    select
        response_id,
        'first_response_hours' as variable_key,
        first_response_hours as variable_value
    from support_figures
    where first_response_hours is not null
    union all
    select
        response_id,
        'resolution_hours' as variable_key,
        resolution_hours as variable_value
    from support_figures
    where resolution_hours is not null
    union all
    select
        response_id,
        'first_contact_resolution' as variable_key,
        first_contact_resolution as variable_value
    from support_figures
    where first_contact_resolution is not null
    union all
    select
        nps_responses.response_id,
        'onboarding_days' as variable_key,
        {{ dbt.datediff('onboarding_projects.kickoff_at', 'onboarding_projects.go_live_at', 'second') }} / 86400.0 as variable_value  -- noqa: LT05
    from nps_responses
    inner join onboarding_projects
        on nps_responses.account_id = onboarding_projects.account_id
    where onboarding_projects.go_live_at <= nps_responses.submitted_at
),

operational_judged as (
    select
        operational_values.response_id,
        cast(operational_values.variable_key as {{ dbt.type_string() }}) as variable_key,
        operational_values.variable_value,
        case
            when targets.is_higher_better and operational_values.variable_value >= targets.target then 1
            when not targets.is_higher_better and operational_values.variable_value <= targets.target then 1
            else 0
        end as is_good
    from operational_values
    inner join targets
        on operational_values.variable_key = targets.metric_code
),

variables as (
    select
        response_id,
        cast('nps' as {{ dbt.type_string() }}) as variable_key,
        nps_score as variable_value,
        is_promoter as is_good
    from nps_responses
    union all
    select * from question_values
    union all
    select * from operational_judged
),

final as (
    select
        nps_responses.response_id,
        nps_responses.survey_id,
        nps_responses.account_id,
        nps_responses.submitted_month,
        nps_responses.industry,
        nps_responses.tier,
        nps_responses.region,
        nps_responses.employee_band,
        variables.variable_key,
        cast(variables.variable_value as {{ type_double() }}) as variable_value,
        cast(variables.is_good as {{ dbt.type_int() }}) as is_good
    from variables
    inner join nps_responses
        on variables.response_id = nps_responses.response_id
)

select * from final
