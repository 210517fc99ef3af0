{#- CSAT per period and touchpoint, plus touchpoint 'all' (every touchpoint together): the share of
    satisfied answers (top box per seed scale_cutoffs) and the mean score on 0-100 beside it. The 'all'
    row sums the same additive counts as the touchpoint rows, so it re-aggregates cleanly; BI must not
    add it to them. -#}
{{ touchpoint_score_mart(metric='csat', positive_column='satisfied', share_column='csat') }}
