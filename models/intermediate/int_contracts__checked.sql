{#- No future check: contracts may be signed ahead of their start. -#}
{%- set checks = [
    {'when': 'contract_id is null', 'reason': 'missing_key', 'column': 'contract_id'},
    {'when': 'invalid_fields is not null', 'reason': 'unparseable_value',
     'column': 'invalid_fields', 'column_is_sql': true},
    {'when': 'account_id is null', 'reason': 'missing_value', 'column': 'account_id'},
    {'when': 'start_date is null', 'reason': 'missing_value', 'column': 'start_date'},
    {'when': 'arr is null', 'reason': 'missing_value', 'column': 'arr'},
    {'when': 'currency is null', 'reason': 'missing_value', 'column': 'currency'},
    {'when': 'end_date < start_date', 'reason': 'invalid_order', 'column': 'end_date'},
    {'when': 'known_currency_code is null', 'reason': 'unknown_currency', 'column': 'currency'},
    {'when': 'arr < 0', 'reason': 'negative_amount', 'column': 'arr'},
    {'when': 'valid_account_id is null', 'reason': 'unknown_reference', 'column': 'account_id'},
] -%}

with contracts as (
    select * from {{ ref('stg_crm__contracts') }}
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

contracts_with_parents as (
    select
        contracts.*,
        valid_accounts.account_id as valid_account_id,
        fx_rates.currency_code as known_currency_code
    from contracts
    left join valid_accounts
        on contracts.account_id = valid_accounts.account_id
    left join fx_rates
        on contracts.currency = fx_rates.currency_code
),

checked as (
    {{ checked_with_duplicates(
        'contracts_with_parents',
        ['contract_id'],
        checks,
        'account_id asc nulls last, start_date asc nulls last, end_date asc nulls last,
        product asc nulls last, arr asc nulls last, currency asc nulls last'
    ) }}
),

final as (
    select
        contract_id,
        account_id,
        product,
        start_date,
        end_date,
        arr,
        currency,
        invalid_fields,
        record_key,
        quarantine_reason,
        quarantine_column
    from checked
)

select * from final
