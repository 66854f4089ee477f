{#- rpt_customer_health has a card for every customer active at every month's end
    (fct_customer_period_status) and for no one else. A row here is a missing or an extra card. -#}
with active_customer_months as (

    select
        customer_id,
        period_start as month_start
    from {{ ref('fct_customer_period_status') }}
    where period_type = 'month' and is_active_at_end

),

cards as (

    select
        customer_id,
        month_start
    from {{ ref('rpt_customer_health') }}

)

select
    coalesce(active_customer_months.customer_id, cards.customer_id) as customer_id,
    coalesce(active_customer_months.month_start, cards.month_start) as month_start,
    case when cards.customer_id is null then 'missing card' else 'card for an inactive customer' end as problem
from active_customer_months
full outer join cards
    on active_customer_months.customer_id = cards.customer_id
    and active_customer_months.month_start = cards.month_start
where active_customer_months.customer_id is null or cards.customer_id is null
