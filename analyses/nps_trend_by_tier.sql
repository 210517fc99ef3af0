{#- Quarterly NPS per customer tier with the change on the previous quarter: a starting point for the
    "segment, never only the average" view. Compile with `dbt compile --select nps_trend_by_tier`. -#}

with nps as (
    select * from {{ ref('mart_nps_by_segment') }}
),

tier_quarters as (
    select
        period_start,
        segment_value as tier,
        responses,
        nps,
        nps_band
    from nps
    where period_grain = 'quarter'
        and segment_dimension = 'tier'
),

final as (
    select
        period_start,
        tier,
        responses,
        nps,
        nps_band,
        nps - lag(nps) over (partition by tier order by period_start asc nulls last) as nps_change
    from tier_quarters
)

select * from final
