{#- Raw table survey_invitations, typed as the raw contract declares it (_survey__sources.yml). -#}
{{ stage_raw_table('survey_invitations') }}
