{#- One row per invoice (receivable) up to the as-of date. An invoice follows its order: the
    order's rep and that rep's team on the order date. Invoices of cancelled orders, of
    soft-deleted orders and of orders unknown to the ERP extract are left out (the sale never
    counted, so its receivable does not either). Amounts in the base currency at the fx rate of
    the invoice date; payments convert at the same rate (the rate of their invoice's date), so
    an invoice paid in full is exactly 100 % paid whatever the currency did afterwards. -#}
with invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

payments as (

    select * from {{ ref('stg_erp__payments') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

counted_orders as (

    select * from {{ ref('int_orders_counted') }}

),

counted_invoices as (

    select
        invoices.invoice_id,
        invoices.order_id,
        {# An invoice without a customer is the order's customer's. #}
        coalesce(invoices.customer_id, counted_orders.customer_id) as customer_id,
        counted_orders.rep_id,
        counted_orders.order_date,
        invoices.invoice_date,
        invoices.due_date,
        invoices.currency,
        invoices.amount as amount_local
    from invoices
    inner join counted_orders
        on invoices.order_id = counted_orders.order_id
    cross join as_of
    where invoices.invoice_date <= as_of.as_of_date

),

converted_invoices as (

    select
        counted_invoices.*,
        team_on_order_date.team_id,
        fx.rate_to_base as fx_rate,
        cast(counted_invoices.amount_local * fx.rate_to_base as double) as amount
    from counted_invoices
    {{ join_team_on_date('team_on_order_date', 'counted_invoices.rep_id', 'counted_invoices.order_date') }}
    {{ join_fx_on_date('fx', 'counted_invoices.currency', 'counted_invoices.invoice_date') }}

),

{# Payments up to the as-of date, summed per invoice and payment currency in that currency
   (exact decimals) before converting at the rate of the invoice date: a full payment in the
   invoice's currency converts to exactly the invoice amount. A payment without a currency is
   in its invoice's currency. #}
payments_by_currency as (

    select
        converted_invoices.invoice_id,
        coalesce(payments.currency, converted_invoices.currency) as currency,
        sum(payments.amount) as paid_local,
        sum(
            case when payments.payment_date <= converted_invoices.due_date then payments.amount else 0 end
        ) as paid_by_due_date_local,
        count(*) as payment_rows,
        count(payments.amount) as payment_amounts
    from converted_invoices
    inner join payments
        on converted_invoices.invoice_id = payments.invoice_id
    cross join as_of
    where payments.payment_date <= as_of.as_of_date
    group by 1, 2

),

payments_converted as (

    select
        payments_by_currency.invoice_id,
        {# An unknown payment amount or rate makes the invoice's paid amount unknown, not smaller. #}
        case
            when payments_by_currency.payment_rows = payments_by_currency.payment_amounts
                then payments_by_currency.paid_local * fx.rate_to_base
        end as amount_paid,
        case
            when payments_by_currency.payment_rows = payments_by_currency.payment_amounts
                then payments_by_currency.paid_by_due_date_local * fx.rate_to_base
        end as amount_paid_by_due_date
    from payments_by_currency
    inner join converted_invoices
        on payments_by_currency.invoice_id = converted_invoices.invoice_id
    {{ join_fx_on_date('fx', 'payments_by_currency.currency', 'converted_invoices.invoice_date') }}

),

payments_per_invoice as (

    select
        invoice_id,
        {# sum() would skip an unknown (NULL) part: count them instead. #}
        case when count(*) = count(amount_paid) then sum(amount_paid) end as amount_paid,
        case
            when count(*) = count(amount_paid_by_due_date) then sum(amount_paid_by_due_date)
        end as amount_paid_by_due_date
    from payments_converted
    group by 1

),

{# The payment that brings the running total up to the invoice amount (to half a cent of the
   base currency) is the one that pays the invoice in full. #}
running_payments as (

    select
        converted_invoices.invoice_id,
        converted_invoices.amount,
        payments.payment_date,
        sum(payments.amount * fx.rate_to_base) over (
            partition by converted_invoices.invoice_id
            order by payments.payment_date, payments.payment_id
            rows between unbounded preceding and current row
        ) as amount_paid_running
    from converted_invoices
    inner join payments
        on converted_invoices.invoice_id = payments.invoice_id
    cross join as_of
    {{ join_fx_on_date(
        'fx', 'coalesce(payments.currency, converted_invoices.currency)', 'converted_invoices.invoice_date'
    ) }}
    where payments.payment_date <= as_of.as_of_date

),

fully_paid as (

    select
        invoice_id,
        min(payment_date) as fully_paid_date
    from running_payments
    where amount_paid_running >= amount - 0.005
    group by 1

),

{# Without any payment in the extract (no erp_payments file), paid amounts are unknown
   (NULL), not 0. #}
payments_recorded as (

    select count(*) > 0 as has_payments
    from payments

),

final as (

    select
        converted_invoices.invoice_id,
        converted_invoices.order_id,
        converted_invoices.customer_id,
        converted_invoices.rep_id,
        converted_invoices.team_id,
        converted_invoices.order_date,
        converted_invoices.invoice_date,
        converted_invoices.due_date,
        converted_invoices.currency,
        converted_invoices.amount_local,
        converted_invoices.fx_rate,
        converted_invoices.amount,
        case
            when payments_recorded.has_payments then coalesce(payments_per_invoice.amount_paid_by_due_date, 0)
        end as amount_paid_by_due_date,
        case
            when payments_recorded.has_payments then coalesce(payments_per_invoice.amount_paid, 0)
        end as amount_paid,
        fully_paid.fully_paid_date,
        fully_paid.fully_paid_date is not null as is_fully_paid,
        {{ dbt.datediff('converted_invoices.invoice_date', 'fully_paid.fully_paid_date', 'day') }}
            as days_to_pay,
        fully_paid.fully_paid_date is not null
        and fully_paid.fully_paid_date <= converted_invoices.due_date as is_paid_on_time
    from converted_invoices
    cross join payments_recorded
    left join payments_per_invoice
        on converted_invoices.invoice_id = payments_per_invoice.invoice_id
    left join fully_paid
        on converted_invoices.invoice_id = fully_paid.invoice_id

)

select * from final
