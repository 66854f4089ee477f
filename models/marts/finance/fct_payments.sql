{#- One row per payment received up to the as-of date, against an invoice of fct_invoices
    (payments of invoices that do not count, e.g. of a cancelled order, are left out). A
    payment converts at the fx rate of its invoice's date, so an invoice paid in full is
    exactly 100 % collected; it follows its invoice's order: the order's rep and that rep's
    team on the order date. A payment without a currency is in its invoice's currency. -#}
with payments as (

    select * from {{ ref('stg_erp__payments') }}

),

invoices as (

    select * from {{ ref('fct_invoices') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

counted_payments as (

    select
        payments.payment_id,
        payments.invoice_id,
        invoices.order_id,
        invoices.customer_id,
        invoices.rep_id,
        invoices.team_id,
        invoices.order_date,
        invoices.invoice_date,
        invoices.due_date,
        payments.payment_date,
        coalesce(payments.currency, invoices.currency) as currency,
        payments.amount as amount_local
    from payments
    inner join invoices
        on payments.invoice_id = invoices.invoice_id
    cross join as_of
    where payments.payment_date <= as_of.as_of_date

),

final as (

    select
        counted_payments.payment_id,
        counted_payments.invoice_id,
        counted_payments.order_id,
        counted_payments.customer_id,
        counted_payments.rep_id,
        counted_payments.team_id,
        counted_payments.order_date,
        counted_payments.invoice_date,
        counted_payments.due_date,
        counted_payments.payment_date,
        counted_payments.currency,
        counted_payments.amount_local,
        fx.rate_to_base as fx_rate,
        cast(counted_payments.amount_local * fx.rate_to_base as double) as amount,
        {{ dbt.datediff('counted_payments.invoice_date', 'counted_payments.payment_date', 'day') }}
            as days_since_invoice,
        counted_payments.payment_date <= counted_payments.due_date as is_on_or_before_due_date
    from counted_payments
    {{ join_fx_on_date('fx', 'counted_payments.currency', 'counted_payments.invoice_date') }}

)

select * from final
