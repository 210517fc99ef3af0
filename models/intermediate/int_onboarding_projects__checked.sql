{#- One onboarding project per account: account_id is both the key and the reference to accounts. -#}
{%- set checks = [
    {'when': 'account_id is null', 'reason': 'missing_key', 'column': 'account_id'},
    {'when': 'invalid_fields is not null', 'reason': 'unparseable_value',
     'column': 'invalid_fields', 'column_is_sql': true},
    {'when': 'kickoff_at is null', 'reason': 'missing_value', 'column': 'kickoff_at'},
    {'when': 'kickoff_at >= ' ~ as_of_end_timestamp(), 'reason': 'future_timestamp', 'column': 'kickoff_at'},
    {'when': 'go_live_at >= ' ~ as_of_end_timestamp(), 'reason': 'future_timestamp', 'column': 'go_live_at'},
    {'when': 'go_live_at < kickoff_at', 'reason': 'invalid_order', 'column': 'go_live_at'},
    {'when': 'valid_account_id is null', 'reason': 'unknown_reference', 'column': 'account_id'},
] -%}

with onboarding_projects as (
    select * from {{ ref('stg_success__onboarding_projects') }}
),

accounts as (
    select * from {{ ref('int_accounts__checked') }}
),

valid_accounts as (
    select account_id from accounts
    where quarantine_reason is null
),

onboarding_projects_with_parents as (
    select
        onboarding_projects.*,
        valid_accounts.account_id as valid_account_id
    from onboarding_projects
    left join valid_accounts
        on onboarding_projects.account_id = valid_accounts.account_id
),

checked as (
    {{ checked_with_duplicates(
        'onboarding_projects_with_parents',
        ['account_id'],
        checks,
        'kickoff_at asc nulls last, go_live_at asc nulls last'
    ) }}
),

final as (
    select
        account_id,
        kickoff_at,
        go_live_at,
        invalid_fields,
        record_key,
        quarantine_reason,
        quarantine_column
    from checked
)

select * from final
