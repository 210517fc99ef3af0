{#- One row per quarantined contract, invoice or churn event of a known account: a business event the marts
    cannot see, so its absence must not be read as churn, contraction or lost value. gap_from and gap_to bound
    the days it concerns (a contract's start and end, an invoice's date, a churn's day; null where the value
    did not parse, meaning every day). int_account_period_status marks the account-periods it overlaps as
    incomplete; mart_clv flags the account. A quarantined row whose key has a valid row (a copy of a kept row,
    or a broken copy beside a good one) is no gap: the event is in the marts. -#}

with contracts as (
    select * from {{ ref('int_contracts__checked') }}
),

invoices as (
    select * from {{ ref('int_invoices__checked') }}
),

churn_events as (
    select * from {{ ref('int_churn_events__checked') }}
),

gaps as (
    select
        account_id,
        'contracts' as source_table,
        record_key,
        quarantine_reason,
        start_date as gap_from,
        end_date as gap_to
    from contracts
    where quarantine_reason is not null
        and (contract_id is null or contract_id not in (
            select kept.contract_id from contracts as kept
            where kept.quarantine_reason is null
        ))
    union all
    select
        account_id,
        'invoices' as source_table,
        record_key,
        quarantine_reason,
        invoice_date as gap_from,
        invoice_date as gap_to
    from invoices
    where quarantine_reason is not null
        and (invoice_id is null or invoice_id not in (
            select kept.invoice_id from invoices as kept
            where kept.quarantine_reason is null
        ))
    union all
    select
        account_id,
        'churn_events' as source_table,
        record_key,
        quarantine_reason,
        {{ reporting_date('churned_at') }} as gap_from,
        {{ reporting_date('churned_at') }} as gap_to
    from churn_events
    where quarantine_reason is not null
        and account_id not in (
            select kept.account_id from churn_events as kept
            where kept.quarantine_reason is null
        )
),

final as (
    select
        account_id,
        source_table,
        record_key,
        quarantine_reason,
        gap_from,
        gap_to
    from gaps
    where account_id is not null
)

select * from final
