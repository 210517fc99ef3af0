{#- The operational drivers per month, the one definition that the metric cascade
    (prep_metric_components__operations) and the journey (prep_journey_stages__monthly) both read: one row per
    month x metric x touchpoint x account segment (as is, from dim_accounts), from the valid support tickets
    and onboarding projects: first_response_hours: hours from a ticket's creation to its first agent response,
    tickets dated by the month they were created in; resolution_hours: hours from creation to solved, and
    first_contact_resolution: the share of solved tickets never reopened and answered with at most var
    first_contact_max_agent_replies agent replies (a ticket without a known reply or reopen count is not
    resolved at first contact), both dated by the month the ticket was solved in (at the touchpoint var
    support_touchpoint); onboarding_days: days from kickoff to go-live, dated by the go-live month (at var
    onboarding_touchpoint). Means are stored as sums and counts (numerator / denominator x value_scale,
    computed last). -#}
{%- set max_replies = checked_var('first_contact_max_agent_replies', 'whole_number') -%}
{%- set support = sql_string_literal(var('support_touchpoint')) -%}
{%- set onboarding = sql_string_literal(var('onboarding_touchpoint')) -%}

with tickets as (
    select * from {{ ref('int_support_tickets__checked') }}
    where quarantine_reason is null
),

onboarding_projects as (
    select * from {{ ref('int_onboarding_projects__checked') }}
    where quarantine_reason is null
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

{# One row per event and metric: the month it counts in, its part of the numerator, and 1 event. #}
events as (
    select
        account_id,
        cast({{ dbt.date_trunc('month', reporting_date('created_at')) }} as date) as event_month,
        'first_response_hours' as metric_code,
        1 as value_scale,
        {{ support }} as touchpoint,
        cast({{ dbt.datediff('created_at', 'first_response_at', 'minute') }} as {{ type_double() }}) / 60  -- noqa: LT05
            as numerator
    from tickets
    where first_response_at is not null
    union all
    select
        account_id,
        cast({{ dbt.date_trunc('month', reporting_date('solved_at')) }} as date) as event_month,
        'resolution_hours' as metric_code,
        1 as value_scale,
        {{ support }} as touchpoint,
        cast({{ dbt.datediff('created_at', 'solved_at', 'minute') }} as {{ type_double() }}) / 60 as numerator  -- noqa: LT05
    from tickets
    where solved_at is not null
    union all
    select
        account_id,
        cast({{ dbt.date_trunc('month', reporting_date('solved_at')) }} as date) as event_month,
        'first_contact_resolution' as metric_code,
        100 as value_scale,
        {{ support }} as touchpoint,
        case
            when reopened_count = 0 and agent_replies <= {{ max_replies }} then 1.0 else 0.0
        end as numerator
    from tickets
    where solved_at is not null
    union all
    select
        account_id,
        cast({{ dbt.date_trunc('month', reporting_date('go_live_at')) }} as date) as event_month,
        'onboarding_days' as metric_code,
        1 as value_scale,
        {{ onboarding }} as touchpoint,
        cast({{ dbt.datediff('kickoff_at', 'go_live_at', 'minute') }} as {{ type_double() }}) / (60 * 24)  -- noqa: LT05
            as numerator
    from onboarding_projects
    where go_live_at is not null
),

final as (
    select
        events.event_month,
        cast(events.metric_code as {{ dbt.type_string() }}) as metric_code,
        cast(events.value_scale as {{ type_double() }}) as value_scale,
        cast(events.touchpoint as {{ dbt.type_string() }}) as touchpoint,
        accounts.{{ account_segment_columns() | join(',\n        accounts.') }},
        cast(sum(events.numerator) as {{ type_double() }}) as numerator,
        cast(count(*) as {{ type_double() }}) as denominator,
        cast(count(*) as {{ dbt.type_bigint() }}) as sample_size
    from events
    left join accounts
        on events.account_id = accounts.account_id
    group by
        events.event_month,
        events.metric_code,
        events.value_scale,
        events.touchpoint,
        accounts.{{ account_segment_columns() | join(',\n        accounts.') }}
)

select * from final
