{#- Every activation: the order that starts an activity spell (a customer's first order in the
    history, or the return of a lapsed customer), with whether fct_customer_acquisitions counts
    it as an effective new customer and, if not, why.
    Left censoring (a first spell only; a return is always observed in full):
    - var order_history_complete_from set (the date from which the order extract holds every
      order of the company): a first order on or after it is an acquisition; a first order
      before it is censored (reason history_incomplete_before_complete_from): the customer may
      have ordered earlier, outside the extract.
    - var order_history_complete_from null (unknown): a customer created before the history
      starts (or with no created date), whose first order falls within one active window of the
      history's start, may well have been active already; that first order is censored (reason
      first_order_within_window_of_history_start).
    An activation whose order is below var new_customer_min_amount is not an effective new
    customer either (reason below_new_customer_min_amount). -#}
{%- set complete_from = var('order_history_complete_from', none) -%}
with order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

spells as (

    select * from {{ ref('fct_customer_activity_spells') }}

),

orders as (

    {{ order_totals('order_lines') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

spell_first_orders as (

    select
        orders.customer_id,
        orders.order_id,
        orders.order_date,
        orders.rep_id,
        orders.team_id,
        orders.net_sales,
        spells.spell_number,
        row_number() over (
            partition by orders.customer_id, spells.spell_number order by orders.order_id
        ) as order_rank
    from orders
    inner join spells
        on orders.customer_id = spells.customer_id
        and orders.order_date = spells.spell_start_date
    where orders.net_sales > 0

),

flagged as (

    select
        spell_first_orders.*,
        {% if complete_from -%}
        spell_first_orders.spell_number = 1
            and spell_first_orders.order_date < cast('{{ complete_from }}' as date)
        {%- else -%}
        spell_first_orders.spell_number = 1
        and coalesce(customers.created_date < as_of.history_start_date, true)
        and spell_first_orders.order_date
        < cast({{ dbt.dateadd('month', var('active_window_months'), 'as_of.history_start_date') }} as date)
        {%- endif %} as is_left_censored
    from spell_first_orders
    cross join as_of
    left join customers
        on spell_first_orders.customer_id = customers.customer_id
    where spell_first_orders.order_rank = 1

),

final as (

    select
        customer_id,
        order_id,
        order_date as activation_date,
        rep_id,
        team_id,
        net_sales as activation_order_net_sales,
        spell_number,
        spell_number > 1 as is_reactivation,
        is_left_censored,
        net_sales < {{ var('new_customer_min_amount') }} as is_below_min_amount,
        not is_left_censored and net_sales >= {{ var('new_customer_min_amount') }} as is_new_customer,
        case
            when is_left_censored
                then
                    {%- if complete_from %} 'history_incomplete_before_complete_from'
                {%- else %} 'first_order_within_window_of_history_start'
            {%- endif %}
            when net_sales < {{ var('new_customer_min_amount') }} then 'below_new_customer_min_amount'
        end as not_new_reason
    from flagged

)

select * from final
