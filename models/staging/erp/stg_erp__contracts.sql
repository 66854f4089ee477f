{#- The valid rows that are not soft-deleted of erp_contracts (rules and casts: base_erp__contracts). -#}
with base as (

    select * from {{ ref('base_erp__contracts') }}

),

valid as (

    select
        contract_id,
        customer_id,
        rep_id,
        contract_type,
        signed_at,
        start_date,
        end_date,
        contract_value,
        currency,
        renewed_from_contract_id,
        status
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
