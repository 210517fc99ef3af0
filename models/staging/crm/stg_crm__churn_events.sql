{#- Raw table churn_events, typed as the raw contract declares it (_crm__sources.yml). -#}
{{ stage_raw_table('churn_events') }}
