{#- The valid rows that are not soft-deleted of hr_insight_reports (rules and casts: base_hr__insight_reports). -#}
with base as (

    select * from {{ ref('base_hr__insight_reports') }}

),

valid as (

    select
        report_id,
        rep_id,
        submitted_at,
        report_type,
        quality_score
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
