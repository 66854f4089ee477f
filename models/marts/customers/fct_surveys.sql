{#- One row per customer survey response (NPS and satisfaction), up to the as-of date;
    soft-deleted responses are already gone in staging. A response goes to its rep_id and to
    that rep's team on the survey date. Promoter (9–10) and detractor (0–6) flags are NULL
    when the response has no NPS score. -#}
with surveys as (

    select * from {{ ref('stg_crm__surveys') }}

),

counted as (

    {{ dated_up_to_as_of('surveys', 'surveyed_at', 'surveyed_date') }}

),

final as (

    select
        counted.survey_id,
        counted.customer_id,
        counted.rep_id,
        team_on_survey_date.team_id,
        counted.surveyed_at,
        counted.surveyed_date,
        counted.nps_score,
        counted.csat_economic,
        counted.csat_relationship,
        case
            when counted.nps_score is null then null
            else counted.nps_score >= 9
        end as is_promoter,
        case
            when counted.nps_score is null then null
            else counted.nps_score <= 6
        end as is_detractor
    from counted
    {{ join_team_on_date('team_on_survey_date', 'counted.rep_id', 'counted.surveyed_date') }}

)

select * from final
