{%- set typed_columns = {
    'churned_at': 'timestamp',
} -%}

with source as (
    select * from {{ source('crm', 'churn_events') }}
),

renamed as (
    select
        {{ cast_raw('account_id', 'text') }} as account_id,
        {{ cast_raw('churned_at', 'timestamp') }} as churned_at,
        lower({{ cast_raw('reason_category', 'text') }}) as reason_category,
        {{ cast_raw('reason_text', 'text') }} as reason_text,
        {{ invalid_fields(typed_columns) }} as invalid_fields
    from source
)

select * from renamed
