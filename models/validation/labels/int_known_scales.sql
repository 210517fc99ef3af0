{#- The scales seed scale_cutoffs knows how to score, one row each (the seed has a row per category): a
    question of a metric with cut-offs on any other scale is quarantined as invalid_scale. -#}

with scale_cutoffs as (
    select * from {{ ref('scale_cutoffs') }}
),

final as (
    select distinct
        cast(metric as {{ dbt.type_string() }}) as metric,
        cast(scale_min as {{ dbt.type_bigint() }}) as scale_min,
        cast(scale_max as {{ dbt.type_bigint() }}) as scale_max,
        cast(higher_is_better as {{ dbt.type_boolean() }}) as higher_is_better
    from scale_cutoffs
)

select * from final
