{#- The valid rows that are not soft-deleted of erp_expenses (rules and casts: base_erp__expenses). -#}
with base as (

    select * from {{ ref('base_erp__expenses') }}

),

valid as (

    select
        expense_id,
        rep_id,
        expense_date,
        category,
        amount,
        currency,
        approved,
        policy_compliant
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
