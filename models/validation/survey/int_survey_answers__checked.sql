{#- The biggest table (up to 100 M rows): one left join per parent, on its key. An answer is dated by its
    response and scored by its question, so one whose response or question is missing or quarantined is
    quarantined (unknown_reference); it must belong to a question of its response's survey, and its score must
    lie on that question's scale (a question without a scale, a comment, takes no score). Incremental, stored
    in the partition of its response (macros/incremental.sql, docs/incremental.md). -#}
{{ config(**incremental_partitions_config('partition_date')) }}
{{ checked_raw_table(
    'survey_answers',
    parent_columns={
        'response_id': ['survey_id', 'partition_date', 'last_event_at'],
        'question_id': ['survey_id', 'scale_min', 'scale_max'],
    },
    incremental=true,
    dated_by_parent='response_id',
    rules=[
        {'when': 'score is null and answer_text is null', 'reason': 'empty_answer', 'column': 'score,answer_text'},
        {'when': 'question_survey_id <> response_survey_id', 'reason': 'unknown_reference', 'column': 'question_id',
         'detail': "the question belongs to another survey than the response"},
        {'when': 'score is not null and question_scale_min is null', 'reason': 'out_of_scale', 'column': 'score'},
        {'when': 'score < question_scale_min or score > question_scale_max or score <> floor(score)',
         'reason': 'out_of_scale', 'column': 'score'},
    ],
) }}
