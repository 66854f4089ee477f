{#- The valid rows that are not soft-deleted of hr_cross_dept_requests (rules and casts: base_hr__cross_dept_requests). -#}
with base as (

    select * from {{ ref('base_hr__cross_dept_requests') }}

),

valid as (

    select
        request_id,
        rep_id,
        team_id,
        requesting_department,
        request_type,
        requested_at,
        due_at,
        completed_at,
        adopted
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
