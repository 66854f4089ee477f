{#- The valid rows that are not soft-deleted of erp_customer_costs (rules and casts: base_erp__customer_costs). -#}
with base as (

    select * from {{ ref('base_erp__customer_costs') }}

),

valid as (

    select
        cost_id,
        customer_id,
        rep_id,
        cost_date,
        cost_type,
        amount,
        currency
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
