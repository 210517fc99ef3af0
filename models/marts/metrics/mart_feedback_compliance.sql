{#- Closed-loop compliance per period_grain x period_start x owner: the alerts of prep_feedback_alerts counted
    by status in the month of the answer (reporting calendar), rolled up to quarter and year, and the share
    contacted in time computed last from the counts. Alerts still open within their SLA are not yet decided:
    they are counted, and left out of the share. -#}

{%- set measures = ['alerts', 'contacted_in_time', 'contacted_late', 'overdue', 'open_within_sla'] -%}

with alerts as (
    select * from {{ ref('prep_feedback_alerts') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

monthly as (
    select
        cast({{ dbt.date_trunc('month', 'answered_on') }} as date) as answered_month,
        owner,
        count(*) as alerts,
        sum(case when alert_status = 'closed_in_time' then 1 else 0 end) as contacted_in_time,
        sum(case when alert_status = 'closed_late' then 1 else 0 end) as contacted_late,
        sum(case when alert_status = 'overdue' then 1 else 0 end) as overdue,
        sum(case when alert_status = 'open_within_sla' then 1 else 0 end) as open_within_sla
    from alerts
    group by
        cast({{ dbt.date_trunc('month', 'answered_on') }} as date),
        owner
),

rolled_up as (
    {{ rollup_months_to_periods('monthly', 'answered_month', ['owner'], measures) }}
),

totals as (
    select
        rolled_up.period_grain,
        rolled_up.period_start,
        periods.period_end,
        periods.is_complete,
        rolled_up.owner,
        {%- for measure in measures %}
            cast(rolled_up.{{ measure }} as {{ dbt.type_bigint() }}) as {{ measure }},
        {%- endfor %}
        cast(
            rolled_up.contacted_in_time + rolled_up.contacted_late + rolled_up.overdue
            as {{ dbt.type_bigint() }}
        ) as alerts_due
    from rolled_up
    inner join periods
        on rolled_up.period_grain = periods.period_grain
            and rolled_up.period_start = periods.period_start
),

final as (
    select
        *,
        case
            when alerts_due > 0 then cast(100.0 * contacted_in_time / alerts_due as {{ type_rate() }})
        end as sla_compliance_pct
    from totals
)

select * from final
