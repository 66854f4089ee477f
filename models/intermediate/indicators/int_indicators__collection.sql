{#- Receivables: collection_rate and avg_collection_days.
    collection_rate: invoices due (due_date) in the period, up to the as-of date (an invoice not
    yet due is in no period's denominator); paid = payments made by the period's end (capped at
    the as-of date), at the rate of the invoice date, capped per invoice at the invoice amount
    (an overpayment does not make up for another invoice). An invoice follows its order: the
    order's rep and that rep's team on the order date.
    avg_collection_days: payments whose payment_date falls in the period, mean days from the
    invoice date to the payment date. -#}
with invoices as (

    select * from {{ ref('fct_invoices') }}

),

payments as (

    select * from {{ ref('fct_payments') }}

),

periods as (

    select * from {{ ref('dim_periods') }}

),

invoices_due as (

    select
        periods.period_type,
        periods.period_start,
        periods.period_end_as_of,
        invoices.invoice_id,
        invoices.team_id,
        invoices.rep_id,
        invoices.customer_id,
        invoices.amount,
        {# NULL when the extract has no payments at all: then nothing is known to be paid. #}
        invoices.amount_paid as amount_paid_as_of
    from invoices
    cross join {{ period_types() }} as period_types
    inner join periods
        on period_types.period_type = periods.period_type
        and {{ period_start('period_types.period_type', 'invoices.due_date') }} = periods.period_start
    where invoices.due_date <= periods.period_end_as_of

),

{# Paid by the period's end, summed in the payment's currency before converting (at the rate
   of the invoice date, the same for every payment of the invoice): a full payment converts to
   exactly the invoice amount. #}
paid_by_currency as (

    select
        invoices_due.period_type,
        invoices_due.period_start,
        invoices_due.invoice_id,
        payments.fx_rate,
        sum(payments.amount_local) as paid_local,
        count(*) as payment_rows,
        count(payments.amount) as payment_amounts
    from invoices_due
    inner join payments
        on invoices_due.invoice_id = payments.invoice_id
        and payments.payment_date <= invoices_due.period_end_as_of
    group by 1, 2, 3, 4

),

paid_by_period_end as (

    select
        period_type,
        period_start,
        invoice_id,
        {# An unknown payment amount (no rate) makes the invoice's paid amount unknown. #}
        case
            when sum(payment_rows) = sum(payment_amounts) then sum(paid_local * fx_rate)
        end as amount_paid
    from paid_by_currency
    group by 1, 2, 3

),

collection_events as (

    select
        invoices_due.period_type,
        invoices_due.period_start,
        invoices_due.team_id,
        invoices_due.rep_id,
        invoices_due.customer_id,
        invoices_due.amount,
        case
            when invoices_due.amount_paid_as_of is null then null
            when paid_by_period_end.invoice_id is null then 0
            when paid_by_period_end.amount_paid > invoices_due.amount then invoices_due.amount
            else paid_by_period_end.amount_paid
        end as amount_paid
    from invoices_due
    left join paid_by_period_end
        on invoices_due.period_type = paid_by_period_end.period_type
        and invoices_due.period_start = paid_by_period_end.period_start
        and invoices_due.invoice_id = paid_by_period_end.invoice_id

),

collection as (

    {# Only invoices whose amount and paid amount are both known enter the rate. #}
    {{ rollup_by_grain_and_period(
        'collection_events', none,
        [
            'sum(case when amount_paid is not null then amount end) as amount_due',
            'sum(case when amount is not null then amount_paid end) as amount_paid',
        ],
        ['team', 'rep', 'customer', 'company'],
    ) }}

),

collection_days as (

    {{ rollup_by_grain_and_period(
        'payments', 'payment_date',
        [
            'sum(days_since_invoice) as collection_days',
            'count(days_since_invoice) as payments_with_days',
        ],
        ['team', 'rep', 'customer', 'company'],
    ) }}

),

indicators as (

    {{ indicator_rows('collection', 'collection_rate',
        safe_divide('amount_paid', 'amount_due'), 'amount_paid', 'amount_due') }}
    union all
    {{ indicator_rows('collection_days', 'avg_collection_days',
        safe_divide('collection_days', 'payments_with_days'), 'collection_days', 'payments_with_days') }}

)

select * from indicators
