{#- fct_customer_profit_events (the semantic layer's customer_net_profit) has no row when
    indicator_coverage calls customer_net_profit "no data" (indicator_values publishes none then),
    and has rows whenever the indicator is published and there are order lines. Returns the
    contradiction, if any. -#}
with no_data as (

    select count(*) > 0 as is_no_data
    from {{ ref('indicator_coverage') }}
    where indicator_code = 'customer_net_profit' and not_expected_reason like 'no data:%'

),

events as (

    select count(*) as event_rows from {{ ref('fct_customer_profit_events') }}

),

order_lines as (

    select count(*) as order_line_rows from {{ ref('fct_order_lines') }}

)

select
    no_data.is_no_data,
    events.event_rows,
    order_lines.order_line_rows
from no_data
cross join events
cross join order_lines
where
    (no_data.is_no_data and events.event_rows > 0)
    or (not no_data.is_no_data and events.event_rows = 0 and order_lines.order_line_rows > 0)
