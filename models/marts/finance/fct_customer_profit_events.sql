{#- The events of customer_net_profit, one row each, with the row's part of the net profit: a sale
    line (+ gross profit), a service or maintenance cost (− amount) and a month's financing cost of
    a receivable (− outstanding balance × days / 365 × var cost_of_capital_rate). The rows are
    those int_indicators__customer_profit sums (macro customer_profit_events), so summed by team,
    rep, customer or in all over the events dated in a period they give customer_net_profit of
    indicator_values (the semantic layer's customer_net_profit). No row when the indicator has
    "no data" (dq_indicator_empty_inputs, the rule indicator_coverage applies too: e.g. no invoices
    or payments, so no receivables to finance): indicator_values publishes no customer_net_profit
    then, and a sum of the sale lines alone would overstate it. The data test
    assert_customer_profit_events_follow_coverage holds the two together. -#}
{%- set cost_of_capital_rate = var('cost_of_capital_rate', 0.06) -%}

with order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

customer_costs as (

    select * from {{ ref('fct_customer_costs') }}

),

invoices as (

    select * from {{ ref('fct_invoices') }}

),

payments as (

    select * from {{ ref('fct_payments') }}

),

{{ customer_profit_events(cost_of_capital_rate) }},

no_data as (

    select indicator_code from {{ ref('dq_indicator_empty_inputs') }}
    where indicator_code = 'customer_net_profit'

),

final as (

    select
        profit_event_id,
        event_type,
        event_date,
        customer_id,
        rep_id,
        team_id,
        product_id,
        gross_profit,
        service_cost,
        financing_cost,
        case event_type
            when 'sale_line' then gross_profit
            when 'financing' then -financing_cost
            else -service_cost
        end as net_profit
    from profit_events
    where not exists (select 1 from no_data)

)

select * from final
