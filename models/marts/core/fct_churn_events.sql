{#- One row per valid churn event as the CRM recorded it (the table's key is account_id). Churn in the
    metric marts is defined by contracts; these events give the recorded reason and date beside it. -#}

with churn_events as (
    select * from {{ ref('int_churn_events__checked') }}
    where quarantine_reason is null
),

final as (
    select
        account_id,
        churned_at,
        cast(churned_at as date) as churned_on,
        reason_category,
        reason_text
    from churn_events
)

select * from final
