{#- Invoices: the amount may be negative (a credit note). -#}
{{ checked_raw_table('invoices') }}
