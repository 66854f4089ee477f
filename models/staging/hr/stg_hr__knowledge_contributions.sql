{#- The valid rows that are not soft-deleted of hr_knowledge_contributions (rules and casts: base_hr__knowledge_contributions). -#}
with base as (

    select * from {{ ref('base_hr__knowledge_contributions') }}

),

valid as (

    select
        contribution_id,
        rep_id,
        contributed_at,
        contribution_type,
        accepted,
        citation_count,
        instructor_hours
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
