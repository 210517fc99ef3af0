{#- Surveys: the touchpoint is a label; a survey without one is reported under touchpoint unknown. -#}
{{ checked_raw_table('surveys') }}
