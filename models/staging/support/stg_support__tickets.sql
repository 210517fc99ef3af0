{#- Raw table support_tickets, typed as the raw contract declares it (_support__sources.yml). -#}
{{ stage_raw_table('support_tickets') }}
