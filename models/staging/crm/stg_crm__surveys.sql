{#- The valid rows that are not soft-deleted of crm_surveys (rules and casts: base_crm__surveys). -#}
with base as (

    select * from {{ ref('base_crm__surveys') }}

),

valid as (

    select
        survey_id,
        customer_id,
        rep_id,
        surveyed_at,
        nps_score,
        csat_economic,
        csat_relationship
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
