{#- One row per valid churn event as the CRM recorded it (the table's key is account_id; an account missing
    from the accounts export is an inferred member of dim_accounts). Churn in the metric marts is defined by
    contracts; these events give the recorded reason (a code of seed label_synonyms, other when unknown) and
    the day (of the reporting calendar) beside it. -#}

with churn_events as (
    select * from {{ ref('int_churn_events__checked') }}
    where quarantine_reason is null
),

final as (
    select
        account_id,
        churned_at,
        {{ reporting_date('churned_at') }} as churned_on,
        reason_category,
        reason_text
    from churn_events
)

select * from final
