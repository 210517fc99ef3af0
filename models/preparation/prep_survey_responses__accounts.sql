{#- One row per valid survey response with its account's segments, tier and account manager twice (docs/
    history.md): "as was", from the account's version valid when the response was submitted
    (dim_accounts__history: valid_from <= submitted_at < valid_to), and "as is", from dim_accounts today. An
    account the export never held (an inferred or the unknown member) has no version, and shows 'unknown' in
    both. Every answer of a response shares its account and moment, so the answers' marts join this on
    response_id. Not incremental on purpose: a night's new version changes the as-was attributes of answers
    already stored (an account's first version reaches back to the beginning of time), and resolving them
    here, in full, keeps the incremental facts free of that dependency. -#}

with responses as (
    select * from {{ ref('fct_survey_responses') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

account_versions as (
    select * from {{ ref('dim_accounts__history') }}
),

final as (
    select
        responses.response_id,
        responses.account_id,
        responses.submitted_at,
        responses.submitted_month,
        account_versions.version_number as account_version_number,
        coalesce(account_versions.industry, 'unknown') as industry_as_was,
        coalesce(account_versions.tier, 'unknown') as tier_as_was,
        coalesce(account_versions.region, 'unknown') as region_as_was,
        coalesce(account_versions.employee_band, 'unknown') as employee_band_as_was,
        coalesce(account_versions.account_manager, 'unknown') as account_manager_as_was,
        coalesce(accounts.industry, 'unknown') as industry_as_is,
        coalesce(accounts.tier, 'unknown') as tier_as_is,
        coalesce(accounts.region, 'unknown') as region_as_is,
        coalesce(accounts.employee_band, 'unknown') as employee_band_as_is,
        coalesce(accounts.account_manager, 'unknown') as account_manager_as_is
    from responses
    left join account_versions
        on responses.account_id = account_versions.account_id
            and responses.submitted_at >= account_versions.valid_from
            and responses.submitted_at < account_versions.valid_to
    left join accounts
        on responses.account_id = accounts.account_id
)

select * from final
