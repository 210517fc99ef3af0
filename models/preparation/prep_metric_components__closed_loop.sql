{#- Closed-loop compliance's components for the metric cascade, per period x touchpoint x account segment (as
    is, from dim_accounts; an account missing from the CRM is 'unknown'): of the NPS detractors' alerts
    (prep_feedback_alerts, metric nps) whose SLA has been decided - contacted in time, contacted late or
    overdue - the ones contacted in time, dated by the month of the answer as in mart_feedback_compliance.
    Alerts still open within their SLA are not decided and count in neither part. -#}

with alerts as (
    select * from {{ ref('prep_feedback_alerts') }}
    where metric = 'nps' and alert_status <> 'open_within_sla'
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

reporting_periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

monthly as (
    select
        cast({{ dbt.date_trunc('month', 'alerts.answered_on') }} as date) as answered_month,
        'closed_loop_compliance' as metric_code,
        100 as value_scale,
        alerts.touchpoint,
        accounts.{{ account_segment_columns() | join(',\n        accounts.') }},
        sum(case when alerts.alert_status = 'closed_in_time' then 1.0 else 0.0 end) as numerator,
        count(*) as denominator,
        count(*) as sample_size
    from alerts
    left join accounts
        on alerts.account_id = accounts.account_id
    group by
        cast({{ dbt.date_trunc('month', 'alerts.answered_on') }} as date),
        alerts.touchpoint,
        accounts.{{ account_segment_columns() | join(',\n        accounts.') }}
),

{# The shared reporting calendar decides which periods are reported, as in every metric mart. #}
final as (
    {{ cascade_components_by_period('monthly', 'answered_month', 'reporting_periods') }}
)

select * from final
