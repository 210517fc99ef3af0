{#- Raw table surveys, typed as the raw contract declares it (_survey__sources.yml). -#}
{{ stage_raw_table('surveys') }}
