{#- Contracts decide churn and ARR, so a contract whose dates, ARR or currency cannot be read is quarantined;
    no future check: contracts may be signed ahead of their start. -#}
{{ checked_raw_table(
    'contracts',
    rules=[
        {'when': 'end_date < start_date', 'reason': 'invalid_order', 'column': 'end_date'},
        {'when': 'arr < 0', 'reason': 'negative_amount', 'column': 'arr'},
    ],
) }}
