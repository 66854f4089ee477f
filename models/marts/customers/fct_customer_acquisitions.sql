{#- Effective new customers: the order that starts each activity spell (a first order, or the
    return of a lapsed customer), when its net amount reaches new_customer_min_amount and it is
    not left censored. Credited to the order's rep and that rep's team on the order date.
    Left censoring (var order_history_complete_from) and the other activations not counted are
    decided in fct_customer_activations and listed in dq_censored_acquisitions. -#}
with activations as (

    select * from {{ ref('fct_customer_activations') }}

),

final as (

    select
        customer_id,
        order_id,
        activation_date as acquisition_date,
        rep_id,
        team_id,
        activation_order_net_sales as acquisition_order_net_sales,
        is_reactivation
    from activations
    where is_new_customer

)

select * from final
