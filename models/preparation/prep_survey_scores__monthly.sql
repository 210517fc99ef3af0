{#- The categorised survey answers (prep_survey_answers__categorised: the metrics that have cut-offs in seed
    scale_cutoffs, nps, csat, ces) summed per month, metric, touchpoint and account segment. Every measure is
    additive, so the metric marts roll these rows up to quarters, years and coarser segments by summing, and
    compute the ratios last. `answers` counts answers with a score: the ones that fall in exactly one
    category. The segments are the account's as they were when the answer was given: a segment move does not
    rewrite the months before it. -#}

with categorised_answers as (
    select * from {{ ref('prep_survey_answers__categorised') }}
),

final as (
    select
        submitted_month,
        metric,
        touchpoint,
        industry,
        tier,
        region,
        employee_band,
        cast(count(*) as {{ dbt.type_bigint() }}) as answers,
        cast(sum(is_positive) as {{ dbt.type_bigint() }}) as positive_answers,
        cast(sum(is_passive) as {{ dbt.type_bigint() }}) as passive_answers,
        cast(sum(is_negative) as {{ dbt.type_bigint() }}) as negative_answers,
        sum(score_pct) as score_pct_sum
    from categorised_answers
    group by
        submitted_month,
        metric,
        touchpoint,
        industry,
        tier,
        region,
        employee_band
)

select * from final
