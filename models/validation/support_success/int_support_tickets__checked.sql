{#- Incremental, partitioned by the day of created_at; a ticket answered or solved later rebuilds the day it
    was created on, since its last event (created, first response or solve) falls in the look-back window
    (macros/incremental.sql, docs/incremental.md). Channel, priority and category are labels. -#}
{{ config(**incremental_partitions_config('partition_date')) }}
{{ checked_raw_table(
    'support_tickets',
    incremental=true,
    rules=[
        {'when': 'first_response_at < created_at', 'reason': 'invalid_order', 'column': 'first_response_at'},
        {'when': 'solved_at < created_at', 'reason': 'invalid_order', 'column': 'solved_at'},
        {'when': 'agent_replies < 0', 'reason': 'negative_amount', 'column': 'agent_replies'},
        {'when': 'reopened_count < 0', 'reason': 'negative_amount', 'column': 'reopened_count'},
    ],
) }}
