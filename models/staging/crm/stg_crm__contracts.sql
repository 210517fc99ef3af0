{%- set typed_columns = {
    'start_date': 'date',
    'end_date': 'date',
    'arr': 'money',
} -%}

with source as (
    select * from {{ source('crm', 'contracts') }}
),

renamed as (
    select
        {{ cast_raw('contract_id', 'text') }} as contract_id,
        {{ cast_raw('account_id', 'text') }} as account_id,
        {{ cast_raw('product', 'text') }} as product,
        {{ cast_raw('start_date', 'date') }} as start_date,
        {{ cast_raw('end_date', 'date') }} as end_date,
        {{ cast_raw('arr', 'money') }} as arr,
        upper({{ cast_raw('currency', 'text') }}) as currency,
        {{ invalid_fields(typed_columns) }} as invalid_fields
    from source
)

select * from renamed
