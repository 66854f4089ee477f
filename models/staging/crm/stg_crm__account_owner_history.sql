{#- The valid rows that are not soft-deleted of crm_account_owner_history (rules and casts: base_crm__account_owner_history). -#}
with base as (

    select * from {{ ref('base_crm__account_owner_history') }}

),

valid as (

    select
        customer_id,
        owner_rep_id,
        valid_from,
        valid_to
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
