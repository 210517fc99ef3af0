{#- Raw table feedback_cases, typed as the raw contract declares it (_success__sources.yml). -#}
{{ stage_raw_table('feedback_cases') }}
