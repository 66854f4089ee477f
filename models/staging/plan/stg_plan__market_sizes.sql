{#- The valid rows that are not soft-deleted of market_sizes (rules and casts: base_plan__market_sizes). -#}
with base as (

    select * from {{ ref('base_plan__market_sizes') }}

),

valid as (

    select
        region_code,
        category,
        market_year,
        market_size_amount
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
