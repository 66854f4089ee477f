{#- The valid rows that are not soft-deleted of erp_deliveries (rules and casts: base_erp__deliveries). -#}
with base as (

    select * from {{ ref('base_erp__deliveries') }}

),

valid as (

    select
        delivery_id,
        contract_id,
        order_id,
        promised_date,
        delivered_date,
        delivered_in_full,
        requires_installation,
        install_promised_date,
        installed_date
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
