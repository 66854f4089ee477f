{#- The valid rows that are not soft-deleted of plan_sales_targets (rules and casts: base_plan__sales_targets). -#}
with base as (

    select * from {{ ref('base_plan__sales_targets') }}

),

valid as (

    select
        target_grain,
        entity_id,
        target_month,
        target_sales_amount,
        target_new_customers,
        target_collection_rate,
        target_gross_margin_rate
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
