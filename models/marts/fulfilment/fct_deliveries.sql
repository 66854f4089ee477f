{#- One row per delivery obligation of a counted order, as known at the as-of date. A delivery
    follows its order: the order's customer, its rep and that rep's team on the order date.
    Deliveries of cancelled orders, of soft-deleted orders, of unknown orders and of orders
    dated after the as-of date are left out (the order never counted as a sale). A delivery or
    installation dated after the as-of date has not happened yet: its date is read as empty.
    Outcome flags are NULL while the outcome is not known yet (not due, or delivered on time
    with an empty delivered_in_full). -#}
with deliveries as (

    select * from {{ ref('stg_erp__deliveries') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

counted_orders as (

    select * from {{ ref('int_orders_counted') }}

),

joined as (

    select
        deliveries.delivery_id,
        deliveries.order_id,
        deliveries.contract_id,
        counted_orders.order_date,
        counted_orders.customer_id,
        counted_orders.rep_id,
        team_on_order_date.team_id,
        deliveries.promised_date,
        case
            when deliveries.delivered_date <= as_of.as_of_date then deliveries.delivered_date
        end as delivered_date,
        deliveries.delivered_in_full,
        coalesce(deliveries.requires_installation, false) as requires_installation,
        deliveries.install_promised_date,
        case
            when deliveries.installed_date <= as_of.as_of_date then deliveries.installed_date
        end as installed_date,
        as_of.as_of_date
    from deliveries
    inner join counted_orders
        on deliveries.order_id = counted_orders.order_id
    cross join as_of
    {{ join_team_on_date('team_on_order_date', 'counted_orders.rep_id', 'counted_orders.order_date') }}

),

measured as (

    select
        joined.*,
        case
            when joined.delivered_date is not null
                then {{ dbt.datediff('joined.promised_date', 'joined.delivered_date', 'day') }}
            when joined.promised_date < joined.as_of_date
                then {{ dbt.datediff('joined.promised_date', 'joined.as_of_date', 'day') }}
        end as days_after_promise
    from joined

),

final as (

    select
        delivery_id,
        order_id,
        contract_id,
        order_date,
        customer_id,
        rep_id,
        team_id,
        promised_date,
        delivered_date,
        delivered_in_full,
        delivered_date is not null as is_delivered,
        {# Known at the as-of date: delivered (in full or not) or past due. #}
        case
            when promised_date is null then null
            when delivered_date is not null and delivered_date > promised_date then false
            when delivered_date is not null then delivered_in_full
            when promised_date < as_of_date then false
        end as is_on_time_in_full,
        case
            when promised_date is null then null
            when delivered_date is not null then delivered_date > promised_date
            else promised_date < as_of_date
        end as is_late,
        {# Days late at the as-of date: delivered late, delivered - promised; undelivered and
           past due, as-of - promised; 0 when not late. The indicator counts an undelivered
           delivery up to each period's end instead (fulfillment_delay_days). #}
        case
            when promised_date is null then null
            when days_after_promise > 0 then days_after_promise
            else 0
        end as days_late,
        requires_installation,
        install_promised_date,
        installed_date,
        case
            when not requires_installation or install_promised_date is null then null
            when installed_date is not null then installed_date <= install_promised_date
            when install_promised_date < as_of_date then false
        end as is_installation_on_time
    from measured

)

select * from final
