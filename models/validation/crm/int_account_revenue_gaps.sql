{#- One row per quarantined contract, invoice or churn event of a known account: a business event the marts
    cannot see, so its absence must not be read as churn, contraction or lost value. gap_from and gap_to bound
    the days it concerns (a contract's start and end, an invoice's date, a churn's day; null where the value
    did not parse, meaning every day). prep_account_period_status marks the account-periods it overlaps as
    incomplete; mart_clv flags the account. A quarantined row whose key has a valid row (a copy of a kept row,
    or a broken copy beside a good one) is no gap: the event is in the marts. Nor is a row quarantined as
    future_timestamp (an invoice or churn dated after the as-of day): it is scheduled, and concerns no day the
    marts describe. -#}

{%- set revenue_tables = [
    {'table': 'contracts', 'key': 'contract_id', 'gap_from': 'start_date', 'gap_to': 'end_date'},
    {'table': 'invoices', 'key': 'invoice_id', 'gap_from': 'invoice_date', 'gap_to': 'invoice_date'},
    {'table': 'churn_events', 'key': 'account_id', 'gap_from': reporting_date('churned_at'),
     'gap_to': reporting_date('churned_at')},
] %}

with
{% for revenue in revenue_tables -%}
    {{ revenue.table }} as (
        select * from {{ ref('int_' ~ revenue.table ~ '__checked') }}
    ),

{% endfor -%}
gaps as (
    {%- for revenue in revenue_tables %}
        {%- if not loop.first %}

            union all

        {%- endif %}
        select
            account_id,
            '{{ revenue.table }}' as source_table,
            record_key,
            source_row_number,
            quarantine_reason,
            {{ revenue.gap_from }} as gap_from,
            {{ revenue.gap_to }} as gap_to
        from {{ revenue.table }}
        where
            quarantine_reason is not null
            and quarantine_reason != 'future_timestamp'
            and ({{ revenue.key }} is null or {{ revenue.key }} not in (
                select kept.{{ revenue.key }} from {{ revenue.table }} as kept
                where kept.quarantine_reason is null
            ))
    {%- endfor %}
),

final as (
    select
        account_id,
        source_table,
        record_key,
        source_row_number,
        quarantine_reason,
        gap_from,
        gap_to
    from gaps
    where account_id is not null
)

select * from final
