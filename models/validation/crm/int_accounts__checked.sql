{#- Accounts: only the key and a parseable created_at decide whether an account counts; its segments are
    labels (kept as written, shown through seed label_synonyms in dim_accounts). -#}
{{ checked_raw_table('accounts') }}
