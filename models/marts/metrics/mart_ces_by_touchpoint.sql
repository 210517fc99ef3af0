{#- CES per period and touchpoint, plus touchpoint 'all' (every touchpoint together): the share of
    positive (low-effort) answers (per seed scale_cutoffs) and the mean score on 0-100 beside it, both
    oriented so that higher is better. The 'all' row sums the same additive counts as the touchpoint
    rows, so it re-aggregates cleanly; BI must not add it to them. -#}
{{ touchpoint_score_mart(metric='ces', positive_column='positive', share_column='ces') }}
