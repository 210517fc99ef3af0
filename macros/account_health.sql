{#- An account's NPS category from the mean of its respondents' 0-10 scores (docs/account-health.md): the
    promoter and passive cut-offs of seed scale_cutoffs read as half-open bands, so a mean of 8.5 is passive
    and 8.99 too, 9 promoter. `cutoffs` is a relation with promoter_from and passive_from. Null without a
    mean (no respondent). -#}
{% macro nps_mean_category(mean_score, cutoffs) -%}
    case
        when {{ mean_score }} is null then null
        when {{ mean_score }} >= {{ cutoffs }}.promoter_from then 'promoter'
        when {{ mean_score }} >= {{ cutoffs }}.passive_from then 'passive'
        else 'detractor'
    end
{%- endmacro %}
