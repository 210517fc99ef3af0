{#- The operational drivers of the journey stages per month, one row per month x driver_name, as
    additive sums: observations and value_sum (the mean is value_sum / observations, computed last in
    mart_journey). Which stage a driver explains is data (seed touchpoint_journey, column stage_driver); this
    model defines how each driver is measured. Durations are exact (seconds / 3600 or / 86400), not counted day boundaries.
    - onboarding_days_to_go_live: days from kickoff to go-live of each project that went live, in the month of
      its go-live (int_onboarding_projects__checked; projects still onboarding are not counted yet).
    - support_first_response_hours: hours from a ticket's creation to its first response, in the month it was
      created (int_support_tickets__checked; tickets without a first response are not counted).
    - support_resolution_hours: hours from creation to solution of the solved tickets, month of creation.
    - support_first_contact_resolution_pct: of the solved tickets, 100 for a ticket solved with at most one agent
      reply and never reopened, else 0 (so the mean is the first-contact resolution rate in percent). -#}

with onboarding_projects as (
    select * from {{ ref('int_onboarding_projects__checked') }}
    where quarantine_reason is null
),

support_tickets as (
    select * from {{ ref('int_support_tickets__checked') }}
    where quarantine_reason is null
),

driver_observations as (
    select
        cast({{ dbt.date_trunc('month', to_reporting_time('go_live_at')) }} as date) as driver_month,
        'onboarding_days_to_go_live' as driver_name,
        {#- the adapter's datediff renders longer than the line limit #}
        cast({{ dbt.datediff('kickoff_at', 'go_live_at', 'second') }} as {{ type_double() }}) / 86400 as driver_value  -- noqa: LT05
    from onboarding_projects
    where go_live_at is not null

    union all

    select
        cast({{ dbt.date_trunc('month', to_reporting_time('created_at')) }} as date) as driver_month,
        'support_first_response_hours' as driver_name,
        {#- the adapter's datediff renders longer than the line limit #}
        cast({{ dbt.datediff('created_at', 'first_response_at', 'second') }} as {{ type_double() }}) / 3600 as driver_value  -- noqa: LT05
    from support_tickets
    where first_response_at is not null

    union all

    select
        cast({{ dbt.date_trunc('month', to_reporting_time('created_at')) }} as date) as driver_month,
        'support_resolution_hours' as driver_name,
        {#- the adapter's datediff renders longer than the line limit #}
        cast({{ dbt.datediff('created_at', 'solved_at', 'second') }} as {{ type_double() }}) / 3600 as driver_value  -- noqa: LT05
    from support_tickets
    where solved_at is not null

    union all

    select
        cast({{ dbt.date_trunc('month', to_reporting_time('created_at')) }} as date) as driver_month,
        'support_first_contact_resolution_pct' as driver_name,
        case
            when coalesce(agent_replies, 0) <= 1 and coalesce(reopened_count, 0) = 0 then 100.0
            else 0.0
        end as driver_value
    from support_tickets
    where solved_at is not null
),

final as (
    select
        driver_month,
        driver_name,
        cast(count(*) as {{ dbt.type_bigint() }}) as observations,
        sum(driver_value) as value_sum
    from driver_observations
    group by
        driver_month,
        driver_name
)

select * from final
