{#- Raw table onboarding_projects, typed as the raw contract declares it (_success__sources.yml). -#}
{{ stage_raw_table('onboarding_projects') }}
