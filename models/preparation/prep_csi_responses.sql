{#- One row per valid response with at least one scored CSI item: the customer satisfaction index of
    that response, CSI = sum(weight * item_pct) / sum(weight), item_pct being the item's score on 0-100
    (score_pct of fct_survey_answers). When the items share one scale (1-10 in the documents) this equals
    the documented (weighted mean score - 1) / 9 * 100, since the normalisation is linear; normalising
    each item first also keeps the index on 0-100 when an item is asked on another scale. The question's
    metric and weight come from dim_survey_questions. -#}

with answers as (
    select * from {{ ref('fct_survey_answers') }}
),

questions as (
    select * from {{ ref('dim_survey_questions') }}
),

csi_items as (
    select
        answers.response_id,
        answers.survey_id,
        answers.account_id,
        answers.submitted_date,
        answers.submitted_month,
        answers.score_pct,
        cast(questions.csi_weight as {{ type_double() }}) as item_weight
    from answers
    inner join questions
        on answers.question_id = questions.question_id
    where questions.metric = 'csi_item'
        and answers.score is not null
        and questions.csi_weight > 0
),

final as (
    select
        response_id,
        survey_id,
        account_id,
        submitted_date,
        submitted_month,
        cast(count(*) as {{ dbt.type_bigint() }}) as csi_items,
        sum(item_weight) as weight_sum,
        sum(item_weight * score_pct) as weighted_item_pct_sum,
        sum(item_weight * score_pct) / sum(item_weight) as csi
    from csi_items
    group by
        response_id,
        survey_id,
        account_id,
        submitted_date,
        submitted_month
)

select * from final
