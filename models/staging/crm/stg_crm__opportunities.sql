{#- The valid rows that are not soft-deleted of crm_opportunities (rules and casts: base_crm__opportunities). -#}
with base as (

    select * from {{ ref('base_crm__opportunities') }}

),

valid as (

    select
        opportunity_id,
        customer_id,
        rep_id,
        product_id,
        created_at,
        expected_close_date,
        closed_at,
        status,
        stage,
        forecast_amount,
        won_amount,
        currency,
        target_cycle_days
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
