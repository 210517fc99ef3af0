{#- Incremental, partitioned by the day of submitted_at (macros/incremental.sql, docs/incremental.md). A
    response of a contact deleted from the CRM stays valid (an orphan, counted under the unknown account). Two
    responses of one contact to one survey within var double_submission_window_minutes count once: the later
    is kept. -#}
{{ config(**incremental_partitions_config('partition_date')) }}
{{ checked_raw_table(
    'survey_responses',
    incremental=true,
    double_submission={'by': ['contact_id', 'survey_id'], 'at': 'submitted_at'},
) }}
