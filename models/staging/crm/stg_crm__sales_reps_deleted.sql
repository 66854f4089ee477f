{#- The soft-deleted rows of crm_sales_reps (rules and casts: base_crm__sales_reps). -#}
with base as (

    select * from {{ ref('base_crm__sales_reps') }}

),

valid as (

    select
        rep_id,
        rep_name,
        email,
        role,
        level,
        hire_date,
        termination_date,
        team_id
    from base
    where dq_rule is null and is_deleted

)

select * from valid
