{#- Text always parses, so invalid_fields looks at the typed columns only. -#}
{%- set typed_columns = {
    'created_at': 'timestamp',
} -%}

with source as (
    select * from {{ source('crm', 'accounts') }}
),

renamed as (
    select
        {{ cast_raw('account_id', 'text') }} as account_id,
        {{ cast_raw('account_name', 'text') }} as account_name,
        lower({{ cast_raw('industry', 'text') }}) as industry,
        {{ cast_raw('employee_band', 'text') }} as employee_band,
        {{ cast_raw('region', 'text') }} as region,
        upper({{ cast_raw('country_code', 'text') }}) as country_code,
        lower({{ cast_raw('tier', 'text') }}) as tier,
        {{ cast_raw('account_manager', 'text') }} as account_manager,
        {{ cast_raw('created_at', 'timestamp') }} as created_at,
        {{ invalid_fields(typed_columns) }} as invalid_fields
    from source
)

select * from renamed
