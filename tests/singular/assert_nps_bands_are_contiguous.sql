{#- The NPS bands must cover -100..+100 without gap or overlap: the first band starts at -100 or below, each
    band ends where the next one (by nps_from) starts, and the last one ends above +100. -#}

with bands as (
    select * from {{ ref('nps_bands') }}
),

ordered as (
    select
        nps_band,
        nps_from,
        nps_to,
        lead(nps_from) over (order by nps_from asc nulls last) as next_nps_from,
        row_number() over (order by nps_from asc nulls last) as position_from_bottom,
        row_number() over (order by nps_from desc nulls last) as position_from_top
    from bands
)

select *
from ordered
where
    (next_nps_from is not null and next_nps_from <> nps_to)
    or (position_from_bottom = 1 and nps_from > -100)
    or (position_from_top = 1 and nps_to <= 100)
