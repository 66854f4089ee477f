{#- The valid rows that are not soft-deleted of erp_invoices (rules and casts: base_erp__invoices). -#}
with base as (

    select * from {{ ref('base_erp__invoices') }}

),

valid as (

    select
        invoice_id,
        order_id,
        customer_id,
        invoice_date,
        due_date,
        amount,
        currency
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
