{#- One churn event per account: account_id is both the key and the reference to accounts. -#}
{%- set checks = [
    {'when': 'account_id is null', 'reason': 'missing_key', 'column': 'account_id'},
    {'when': 'invalid_fields is not null', 'reason': 'unparseable_value',
     'column': 'invalid_fields', 'column_is_sql': true},
    {'when': 'churned_at is null', 'reason': 'missing_value', 'column': 'churned_at'},
    {'when': 'reason_category is null', 'reason': 'missing_value', 'column': 'reason_category'},
    {'when': 'churned_at >= ' ~ as_of_end_timestamp(), 'reason': 'future_timestamp', 'column': 'churned_at'},
    {'when': 'not ' ~ is_accepted_category('reason_category', 'churn_events'),
     'reason': 'invalid_category', 'column': 'reason_category'},
    {'when': 'valid_account_id is null', 'reason': 'unknown_reference', 'column': 'account_id'},
] -%}

with churn_events as (
    select * from {{ ref('stg_crm__churn_events') }}
),

accounts as (
    select * from {{ ref('int_accounts__checked') }}
),

valid_accounts as (
    select account_id from accounts
    where quarantine_reason is null
),

churn_events_with_parents as (
    select
        churn_events.*,
        valid_accounts.account_id as valid_account_id
    from churn_events
    left join valid_accounts
        on churn_events.account_id = valid_accounts.account_id
),

checked as (
    {{ checked_with_duplicates(
        'churn_events_with_parents',
        ['account_id'],
        checks,
        'churned_at asc nulls last, reason_category asc nulls last, reason_text asc nulls last'
    ) }}
),

final as (
    select
        account_id,
        churned_at,
        reason_category,
        reason_text,
        invalid_fields,
        record_key,
        quarantine_reason,
        quarantine_column
    from checked
)

select * from final
