{#- One onboarding project per account: account_id is both the key and the reference to accounts. -#}
{{ checked_raw_table(
    'onboarding_projects',
    rules=[
        {'when': 'go_live_at < kickoff_at', 'reason': 'invalid_order', 'column': 'go_live_at'},
    ],
) }}
