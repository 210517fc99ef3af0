{%- set typed_columns = {
    'invoice_date': 'date',
    'amount': 'money',
} -%}

with source as (
    select * from {{ source('crm', 'invoices') }}
),

renamed as (
    select
        {{ cast_raw('invoice_id', 'text') }} as invoice_id,
        {{ cast_raw('account_id', 'text') }} as account_id,
        {{ cast_raw('invoice_date', 'date') }} as invoice_date,
        {{ cast_raw('amount', 'money') }} as amount,
        upper({{ cast_raw('currency', 'text') }}) as currency,
        {{ invalid_fields(typed_columns) }} as invalid_fields
    from source
)

select * from renamed
