{#- One row per valid account, plus an 'unknown' member (account_id '-1') so that facts whose account
    is missing still join and still count. Segment columns say 'unknown' instead of null: BI filters and
    group-bys then show the gap instead of silently dropping it. To add attributes (e.g. ARR), join them
    in a CTE keyed by account_id and give the unknown member a value in `unknown_member`. -#}

with accounts as (
    select * from {{ ref('int_accounts__checked') }}
    where quarantine_reason is null
),

valid_accounts as (
    select
        account_id,
        account_name,
        coalesce(industry, 'unknown') as industry,
        coalesce(tier, 'unknown') as tier,
        coalesce(region, 'unknown') as region,
        coalesce(employee_band, 'unknown') as employee_band,
        coalesce(country_code, 'unknown') as country_code,
        coalesce(account_manager, 'unknown') as account_manager,
        created_at,
        false as is_unknown_member
    from accounts
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
        true as is_unknown_member
),

final as (
    select * from valid_accounts
    union all
    select * from unknown_member
)

select * from final
