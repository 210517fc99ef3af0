{#- On one scale (metric, scale_min, scale_max, higher_is_better) a score belongs to at most one category:
    fails for each pair of cut-off rows whose score ranges overlap. -#}

with cutoffs as (
    select * from {{ ref('scale_cutoffs') }}
)

select
    lower_cutoff.metric,
    lower_cutoff.scale_min,
    lower_cutoff.scale_max,
    lower_cutoff.higher_is_better,
    lower_cutoff.category as first_category,
    upper_cutoff.category as second_category
from cutoffs as lower_cutoff
inner join cutoffs as upper_cutoff
    on
        lower_cutoff.metric = upper_cutoff.metric
        and lower_cutoff.scale_min = upper_cutoff.scale_min
        and lower_cutoff.scale_max = upper_cutoff.scale_max
        and lower_cutoff.higher_is_better = upper_cutoff.higher_is_better
        and lower_cutoff.category < upper_cutoff.category
where
    lower_cutoff.score_from <= upper_cutoff.score_to
    and upper_cutoff.score_from <= lower_cutoff.score_to
