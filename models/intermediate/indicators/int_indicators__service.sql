{#- Service: first_response_rate, complaint_rate, complaint_resolution_hours. Tickets go to
    their rep and that rep's team on the opened date (fct_service_tickets), to their customer,
    and to their product (a ticket without a product under product 'unassigned').
    complaint_rate divides complaints opened in the period (credited like every ticket) by the
    customers active at the period end: for a team or rep those it owns at the period end
    (fct_customer_period_status), for a product its buyers in the active window up to the
    period end, for the company all active customers. Numerator and denominator are attributed
    differently on purpose (the ticket's rep vs the customer's owner). -#}
{%- set with_product = 'product' in var('report_grains') %}
with tickets as (

    select * from {{ ref('fct_service_tickets') }}

),

customer_period_status as (

    select * from {{ ref('fct_customer_period_status') }}

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

periods as (

    select * from {{ ref('dim_periods') }}

),

{# Ticket data covers the periods from the first ticket on: before it (or with no ticket
    file at all) a complaint count of 0 would be invented. -#}
ticket_coverage as (

    select min(opened_date) as first_opened_date
    from tickets

),

tickets_rolled_up as (

    {{ rollup_by_grain_and_period(
        'tickets', 'opened_date',
        [
            'count(is_responded_within_sla) as tickets_judged',
            'sum(case when is_responded_within_sla then 1 else 0 end) as tickets_within_sla',
            'sum(case when is_complaint then 1 else 0 end) as complaints_opened',
        ],
        ['team', 'rep', 'customer', 'product', 'company'],
    ) }}

),

active_customers_at_end as (

    {{ active_customers_at_period_end('customer_period_status') }}

),

owned_active_customers as (

    {{ rollup_by_grain_and_period(
        'active_customers_at_end', none,
        ['count(distinct customer_id) as active_customers'],
        ['team', 'rep', 'company'],
    ) }}

),

{% if with_product %}

{# A product's customers at the period end: bought it within the active window up to then,
    the same window that makes a customer active (order_date <= d < order_date + window). -#}
product_buyers_at_end as (

    {{ product_buyers_at_period_end('order_lines') }}

),

product_active_customers as (

    {{ rollup_by_grain_and_period(
        'product_buyers_at_end', none,
        ['count(distinct customer_id) as active_customers'],
        ['product'],
    ) }}

),
{%- endif %}

active_customers as (

    select * from owned_active_customers
    {%- if with_product %}
    union all
    select * from product_active_customers
    {%- endif %}

),

complaints_opened as (

    select
        grain,
        entity_id,
        period_type,
        period_start,
        complaints_opened
    from tickets_rolled_up
    where grain in ('team', 'rep', 'product', 'company')

),

complaint_rate as (

    select
        coalesce(complaints_opened.grain, active_customers.grain) as grain,
        coalesce(complaints_opened.entity_id, active_customers.entity_id) as entity_id,
        coalesce(complaints_opened.period_type, active_customers.period_type) as period_type,
        coalesce(complaints_opened.period_start, active_customers.period_start) as period_start,
        {# No ticket of the entity in a covered period: 0 complaints, a real count. #}
        coalesce(complaints_opened.complaints_opened, 0) as complaints_opened,
        active_customers.active_customers
    from complaints_opened
    full outer join active_customers
        on complaints_opened.grain = active_customers.grain
        and complaints_opened.entity_id = active_customers.entity_id
        and complaints_opened.period_type = active_customers.period_type
        and complaints_opened.period_start = active_customers.period_start

),

covered_complaint_rate as (

    select complaint_rate.*
    from complaint_rate
    inner join periods
        on complaint_rate.period_type = periods.period_type
        and complaint_rate.period_start = periods.period_start
    cross join ticket_coverage
    where periods.period_end_as_of >= ticket_coverage.first_opened_date

),

resolved_complaints as (

    select *
    from tickets
    where is_complaint
        and hours_to_resolution is not null

),

resolution_rolled_up as (

    {# A median is not additive: computed over each period's complaints directly. #}
    {{ rollup_by_grain_and_period(
        'resolved_complaints', 'resolved_date',
        [
            'percentile_cont(0.5) within group (order by hours_to_resolution) as median_resolution_hours',
            'count(*) as complaints_resolved',
        ],
        ['team', 'rep', 'company'],
    ) }}

),

indicators as (

    {{ indicator_rows('tickets_rolled_up', 'first_response_rate',
        safe_divide('tickets_within_sla', 'tickets_judged'), 'tickets_within_sla', 'tickets_judged') }}
    union all
    {{ indicator_rows('covered_complaint_rate', 'complaint_rate',
        safe_divide('complaints_opened', 'active_customers'), 'complaints_opened', 'active_customers') }}
    union all
    {{ indicator_rows('resolution_rolled_up', 'complaint_resolution_hours',
        'median_resolution_hours', 'median_resolution_hours') }}

)

select * from indicators
