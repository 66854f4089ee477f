{#- The valid rows that are not soft-deleted of erp_payments (rules and casts: base_erp__payments). -#}
with base as (

    select * from {{ ref('base_erp__payments') }}

),

valid as (

    select
        payment_id,
        invoice_id,
        payment_date,
        amount,
        currency
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
