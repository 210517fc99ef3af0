{#- Incremental, partitioned by the day of sent_at (macros/incremental.sql, docs/incremental.md). An
    invitation of a survey or contact missing from the export stays valid as an orphan. -#}
{{ config(**incremental_partitions_config('partition_date')) }}
{{ checked_raw_table('survey_invitations', incremental=true) }}
