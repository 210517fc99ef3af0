{#- amount may be negative: a credit note. -#}
{%- set checks = [
    {'when': 'invoice_id is null', 'reason': 'missing_key', 'column': 'invoice_id'},
    {'when': 'invalid_fields is not null', 'reason': 'unparseable_value',
     'column': 'invalid_fields', 'column_is_sql': true},
    {'when': 'account_id is null', 'reason': 'missing_value', 'column': 'account_id'},
    {'when': 'invoice_date is null', 'reason': 'missing_value', 'column': 'invoice_date'},
    {'when': 'amount is null', 'reason': 'missing_value', 'column': 'amount'},
    {'when': 'currency is null', 'reason': 'missing_value', 'column': 'currency'},
    {'when': 'invoice_date > ' ~ as_of_date_literal(),
     'reason': 'future_timestamp', 'column': 'invoice_date'},
    {'when': 'known_currency_code is null', 'reason': 'unknown_currency', 'column': 'currency'},
    {'when': 'valid_account_id is null', 'reason': 'unknown_reference', 'column': 'account_id'},
] -%}

with invoices as (
    select * from {{ ref('stg_crm__invoices') }}
),

accounts as (
    select * from {{ ref('int_accounts__checked') }}
),

fx_rates as (
    select * from {{ ref('fx_rates') }}
),

valid_accounts as (
    select account_id from accounts
    where quarantine_reason is null
),

invoices_with_parents as (
    select
        invoices.*,
        valid_accounts.account_id as valid_account_id,
        fx_rates.currency_code as known_currency_code
    from invoices
    left join valid_accounts
        on invoices.account_id = valid_accounts.account_id
    left join fx_rates
        on invoices.currency = fx_rates.currency_code
),

checked as (
    {{ checked_with_duplicates(
        'invoices_with_parents',
        ['invoice_id'],
        checks,
        'account_id asc nulls last, invoice_date asc nulls last, amount asc nulls last,
        currency asc nulls last'
    ) }}
),

final as (
    select
        invoice_id,
        account_id,
        invoice_date,
        amount,
        currency,
        invalid_fields,
        record_key,
        quarantine_reason,
        quarantine_column
    from checked
)

select * from final
