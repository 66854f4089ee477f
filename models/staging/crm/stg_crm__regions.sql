{#- The valid rows that are not soft-deleted of crm_regions (rules and casts: base_crm__regions). -#}
with base as (

    select * from {{ ref('base_crm__regions') }}

),

valid as (

    select
        region_code,
        region_name,
        market_type
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
