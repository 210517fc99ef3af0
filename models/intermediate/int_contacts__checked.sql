{%- set checks = [
    {'when': 'contact_id is null', 'reason': 'missing_key', 'column': 'contact_id'},
    {'when': 'invalid_fields is not null', 'reason': 'unparseable_value',
     'column': 'invalid_fields', 'column_is_sql': true},
    {'when': 'account_id is null', 'reason': 'missing_value', 'column': 'account_id'},
    {'when': 'created_at is null', 'reason': 'missing_value', 'column': 'created_at'},
    {'when': 'created_at >= ' ~ as_of_end_timestamp(), 'reason': 'future_timestamp', 'column': 'created_at'},
    {'when': 'valid_account_id is null', 'reason': 'unknown_reference', 'column': 'account_id'},
] -%}

with contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

accounts as (
    select * from {{ ref('int_accounts__checked') }}
),

valid_accounts as (
    select account_id from accounts
    where quarantine_reason is null
),

contacts_with_parents as (
    select
        contacts.*,
        valid_accounts.account_id as valid_account_id
    from contacts
    left join valid_accounts
        on contacts.account_id = valid_accounts.account_id
),

checked as (
    {{ checked_with_duplicates(
        'contacts_with_parents',
        ['contact_id'],
        checks,
        'account_id asc nulls last, created_at asc nulls last, full_name asc nulls last,
        email asc nulls last, job_role asc nulls last, is_decision_maker asc nulls last'
    ) }}
),

final as (
    select
        contact_id,
        account_id,
        full_name,
        email,
        job_role,
        is_decision_maker,
        created_at,
        invalid_fields,
        record_key,
        quarantine_reason,
        quarantine_column
    from checked
)

select * from final
