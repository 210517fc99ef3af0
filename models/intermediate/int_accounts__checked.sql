{%- set checks = [
    {'when': 'account_id is null', 'reason': 'missing_key', 'column': 'account_id'},
    {'when': 'invalid_fields is not null', 'reason': 'unparseable_value',
     'column': 'invalid_fields', 'column_is_sql': true},
    {'when': 'created_at is null', 'reason': 'missing_value', 'column': 'created_at'},
    {'when': 'tier is null', 'reason': 'missing_value', 'column': 'tier'},
    {'when': 'created_at >= ' ~ as_of_end_timestamp(), 'reason': 'future_timestamp', 'column': 'created_at'},
    {'when': 'not ' ~ is_accepted_category('tier', 'accounts'),
     'reason': 'invalid_category', 'column': 'tier'},
] -%}

with accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

checked as (
    {{ checked_with_duplicates(
        'accounts',
        ['account_id'],
        checks,
        'created_at asc nulls last, account_name asc nulls last, industry asc nulls last,
        employee_band asc nulls last, region asc nulls last, country_code asc nulls last,
        tier asc nulls last, account_manager asc nulls last'
    ) }}
),

final as (
    select
        account_id,
        account_name,
        industry,
        employee_band,
        region,
        country_code,
        tier,
        account_manager,
        created_at,
        invalid_fields,
        record_key,
        quarantine_reason,
        quarantine_column
    from checked
)

select * from final
