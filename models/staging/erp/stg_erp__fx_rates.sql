{#- The valid rows that are not soft-deleted of fx_rates (rules and casts: base_erp__fx_rates). -#}
with base as (

    select * from {{ ref('base_erp__fx_rates') }}

),

valid as (

    select
        currency,
        rate_date,
        rate_to_base
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
