{#- The closed loop's work list for account managers: one row per alert of prep_feedback_alerts (a detractor's
    NPS answer, an unsatisfied CSAT or CES answer), typed for BI. No contact is named: the account and the
    response key lead to the respondent in the CRM. -#}

with alerts as (
    select * from {{ ref('prep_feedback_alerts') }}
),

final as (
    select
        response_id,
        question_id,
        metric,
        cast(score as {{ type_score() }}) as score,
        touchpoint,
        account_id,
        account_name,
        cast(arr_eur as {{ type_money() }}) as arr_eur,
        cast(answered_at as {{ dbt.type_timestamp() }}) as answered_at,
        answered_on,
        comment_text,
        case_id,
        owner,
        owner_source,
        cast(due_at as {{ dbt.type_timestamp() }}) as due_at,
        case_opened_at,
        first_contact_at,
        case_closed_at,
        case_outcome,
        alert_status
    from alerts
)

select * from final
