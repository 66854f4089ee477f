{#- The valid rows that are not soft-deleted of hr_compliance_checks (rules and casts: base_hr__compliance_checks). -#}
with base as (

    select * from {{ ref('base_hr__compliance_checks') }}

),

valid as (

    select
        check_id,
        rep_id,
        checked_at,
        process_area,
        passed,
        score,
        is_veto
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
