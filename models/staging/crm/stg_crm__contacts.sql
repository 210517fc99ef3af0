{#- Raw table contacts, typed as the raw contract declares it (_crm__sources.yml). -#}
{{ stage_raw_table('contacts') }}
