{#- Activations (first orders and returns of lapsed customers) that new_customers does not count,
    one row each, with the reason: left censoring of the order history (see var
    order_history_complete_from) or an order below var new_customer_min_amount. The build
    summary and the data-quality page report their number through the warn test
    assert_no_censored_acquisitions. -#}
with activations as (

    select * from {{ ref('fct_customer_activations') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

final as (

    select
        activations.customer_id,
        activations.order_id,
        activations.activation_date,
        activations.rep_id,
        activations.team_id,
        activations.activation_order_net_sales,
        activations.is_reactivation,
        activations.not_new_reason,
        as_of.history_start_date,
        {% if var('order_history_complete_from', none) -%}
        cast('{{ var("order_history_complete_from") }}' as date)
        {%- else -%}
        cast(null as date)
        {%- endif %} as order_history_complete_from
    from activations
    cross join as_of
    where not activations.is_new_customer

)

select * from final
