{#- One row per account: every valid account, with its segments shown as labels (int_label_values: seed
    label_synonyms, else the most frequent spelling; empty = 'unknown'); an inferred member for every account
    key that valid rows point at but the accounts export lacks or quarantined (is_inferred_member; attributes
    'unknown'), so those rows still join and count; and an 'unknown' member (account_id '-1') for rows without
    an account. To add attributes (e.g. ARR), join them in a CTE keyed by account_id and give the inferred and
    unknown members a value. -#}

with accounts as (
    select * from {{ ref('int_accounts__checked') }}
    where quarantine_reason is null
),

orphaned_references as (
    select * from {{ ref('int_orphaned_references') }}
    where parent_table = 'accounts'
),

label_values as (
    select * from {{ ref('int_label_values') }}
),

valid_accounts as (
    select
        accounts.account_id,
        accounts.account_name,
        {{ label_display('industry_label') }} as industry,
        {{ label_display('tier_label') }} as tier,
        {{ label_display('region_label') }} as region,
        {{ label_display('band_label') }} as employee_band,
        {{ label_display('country_code_label') }} as country_code,
        {{ label_display('manager_label') }} as account_manager,
        accounts.created_at,
        false as is_inferred_member,
        false as is_unknown_member
    from accounts
    {{ label_value_join('label_values', 'industry', 'accounts.industry', 'industry_label') }}
    {{ label_value_join('label_values', 'tier', 'accounts.tier', 'tier_label') }}
    {{ label_value_join('label_values', 'region', 'accounts.region', 'region_label') }}
    {{ label_value_join('label_values', 'employee_band', 'accounts.employee_band', 'band_label') }}
    {{ label_value_join('label_values', 'country', 'accounts.country_code', 'country_code_label') }}
    {{ label_value_join('label_values', 'account_manager', 'accounts.account_manager', 'manager_label') }}
),

inferred_members as (
    select distinct
        missing_key as account_id,
        cast(null as {{ dbt.type_string() }}) as account_name,
        'unknown' as industry,
        'unknown' as tier,
        'unknown' as region,
        'unknown' as employee_band,
        'unknown' as country_code,
        'unknown' as account_manager,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        true as is_inferred_member,
        false as is_unknown_member
    from orphaned_references
),

unknown_member as (
    select
        '-1' as account_id,
        'unknown' as account_name,
        'unknown' as industry,
        'unknown' as tier,
        'unknown' as region,
        'unknown' as employee_band,
        'unknown' as country_code,
        'unknown' as account_manager,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        false as is_inferred_member,
        true as is_unknown_member
),

final as (
    select * from valid_accounts
    union all
    select * from inferred_members
    union all
    select * from unknown_member
)

select * from final
