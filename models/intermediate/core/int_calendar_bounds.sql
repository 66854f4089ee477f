{#- The span of the calendar (dim_dates, dim_periods): from the first day of the year of the
    earliest event of the history to the last day of the as-of date's year. The earliest event is
    the first order, or an earlier sales-team event (a visit, task, opportunity, lead, contract,
    ticket, survey, referral, HR event, invoice, payment, delivery, expense): every event has
    its month, quarter and year rows (issue 9). Customer costs are not events of the history
    (acquisition costs booked years before the first order have no sales to be set against;
    fct_customer_costs keeps them for the CLV formula). vars calendar_start_date and
    calendar_end_date (default null) only widen the span, never cut the data. -#}
{%- set events = [
    ('stg_crm__leads', 'created_at'),
    ('stg_crm__opportunities', 'created_at'),
    ('stg_crm__activities', 'activity_at'),
    ('stg_crm__follow_up_tasks', 'triggered_at'),
    ('stg_crm__service_tickets', 'opened_at'),
    ('stg_crm__surveys', 'surveyed_at'),
    ('stg_crm__referrals', 'referred_at'),
    ('stg_erp__invoices', 'invoice_date'),
    ('stg_erp__payments', 'payment_date'),
    ('stg_erp__contracts', 'signed_at'),
    ('stg_erp__deliveries', 'promised_date'),
    ('stg_erp__expenses', 'expense_date'),
    ('stg_hr__skill_assessments', 'assessed_at'),
    ('stg_hr__trainings', 'started_at'),
    ('stg_hr__knowledge_contributions', 'contributed_at'),
    ('stg_hr__insight_reports', 'submitted_at'),
    ('stg_hr__collaboration_surveys', 'surveyed_at'),
    ('stg_hr__cross_dept_requests', 'requested_at'),
    ('stg_hr__compliance_checks', 'checked_at'),
] -%}
with as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

first_dates as (

    select history_start_date as first_date from as_of
    {%- for model, column in events %}
    union all
    select min(cast({{ column }} as date)) from {{ ref(model) }}
    {%- endfor %}
    {%- if var('calendar_start_date', none) %}
    union all
    select cast('{{ var("calendar_start_date") }}' as date)
    {%- endif %}

),

last_dates as (

    select
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('year', 1, dbt.date_trunc('year', 'as_of_date'))) }} as date
        ) as last_date
    from as_of
    {%- if var('calendar_end_date', none) %}
    union all
    select cast('{{ var("calendar_end_date") }}' as date)
    {%- endif %}

),

final as (

    select
        (
            select cast({{ dbt.date_trunc('year', 'min(first_dates.first_date)') }} as date)
            from first_dates
        ) as calendar_start_date,
        (select max(last_dates.last_date) from last_dates) as calendar_end_date,
        (
            select min(first_dates.first_date) from first_dates
            where first_dates.first_date < as_of.history_start_date
        ) as first_event_before_orders,
        as_of.history_start_date,
        as_of.as_of_date
    from as_of

)

select * from final
