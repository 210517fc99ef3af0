{#- Incremental, partitioned by the day of opened_at; a case contacted or closed later rebuilds the day it
    was opened on (macros/incremental.sql, docs/incremental.md). A case whose response is missing stays valid
    as an orphan; an outcome outside seed label_synonyms counts as unknown. -#}
{{ config(**incremental_partitions_config('partition_date')) }}
{{ checked_raw_table(
    'feedback_cases',
    incremental=true,
    rules=[
        {'when': 'first_contact_at < opened_at', 'reason': 'invalid_order', 'column': 'first_contact_at'},
        {'when': 'closed_at < opened_at', 'reason': 'invalid_order', 'column': 'closed_at'},
    ],
) }}
