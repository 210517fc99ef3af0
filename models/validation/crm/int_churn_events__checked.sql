{#- One churn event per account: account_id is both the key and the reference to accounts. A reason category
    outside seed label_synonyms counts as other (and is listed as a new value in mart_label_values). -#}
{{ checked_raw_table('churn_events') }}
