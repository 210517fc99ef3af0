{#- One row per version of each account's segments, tier and account manager (SCD type 2, docs/history.md),
    from snapshot snap_accounts, shown as labels like dim_accounts (int_label_values, read today: a new
    spelling in seed label_synonyms relabels the whole history; a spelling that has left the export shows as
    written). A version is valid from valid_from
    (inclusive) to valid_to (exclusive); each account's first version from the beginning of time, since the
    warehouse knows nothing older than its first night and an answer given before it must still find a
    version. is_deleted marks the versions during which the account was missing from the export's valid
    rows: they keep its last attributes (hard_deletes new_record). Where no snapshot can be read (plain Spark,
    or a `dbt run` on a database whose snapshot was never built) each valid account is its own single,
    current version (macros/history.sql). Accounts the export never held (dim_accounts' inferred and unknown
    members) have no version: whoever resolves an answer's version shows them as 'unknown'. -#}
{%- set tracked_columns = [
    'account_id', 'industry', 'tier', 'region', 'employee_band', 'country_code', 'account_manager',
] -%}

with versions as (
    {{ history_versions('snap_accounts', 'int_accounts__checked', tracked_columns) }}
),

label_values as (
    select * from {{ ref('int_label_values') }}
),

numbered as (
    select
        versions.*,
        row_number() over (
            partition by versions.account_id
            order by versions.dbt_valid_from asc, versions.dbt_valid_to asc
        ) as version_number
    from versions
),

final as (
    select
        numbered.account_id,
        cast(numbered.version_number as {{ dbt.type_int() }}) as version_number,
        case
            when numbered.version_number = 1 then {{ history_beginning_of_time() }}
            else numbered.dbt_valid_from
        end as valid_from,
        numbered.dbt_valid_to as valid_to,
        numbered.dbt_valid_to = {{ history_end_of_time() }} as is_current,
        numbered.dbt_is_deleted as is_deleted,
        {{ history_label_display('industry_label', 'numbered.industry') }} as industry,
        {{ history_label_display('tier_label', 'numbered.tier') }} as tier,
        {{ history_label_display('region_label', 'numbered.region') }} as region,
        {{ history_label_display('band_label', 'numbered.employee_band') }} as employee_band,
        {{ history_label_display('country_code_label', 'numbered.country_code') }} as country_code,
        {{ history_label_display('manager_label', 'numbered.account_manager') }} as account_manager
    from numbered
    {{ label_value_join('label_values', 'industry', 'numbered.industry', 'industry_label') }}
    {{ label_value_join('label_values', 'tier', 'numbered.tier', 'tier_label') }}
    {{ label_value_join('label_values', 'region', 'numbered.region', 'region_label') }}
    {{ label_value_join('label_values', 'employee_band', 'numbered.employee_band', 'band_label') }}
    {{ label_value_join('label_values', 'country', 'numbered.country_code', 'country_code_label') }}
    {{ label_value_join('label_values', 'account_manager', 'numbered.account_manager', 'manager_label') }}
)

select * from final
