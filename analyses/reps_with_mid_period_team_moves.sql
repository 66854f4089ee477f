{#- Audit: reps whose team changed inside a month, with the sales credited to each team of that
    month (a sale goes to the rep's team on the order date). -#}
with moves as (

    select
        rep_id,
        team_id,
        valid_from,
        cast({{ dbt.date_trunc('month', 'valid_from') }} as date) as month_start
    from {{ ref('dim_rep_team_history') }}
    where valid_from <> cast({{ dbt.date_trunc('month', 'valid_from') }} as date)
        and valid_from > cast('1900-01-01' as date)

),

credited as (

    select
        order_lines.rep_id,
        cast({{ dbt.date_trunc('month', 'order_lines.order_date') }} as date) as month_start,
        order_lines.team_id,
        sum(order_lines.net_sales) as net_sales,
        min(order_lines.order_date) as first_order_date,
        max(order_lines.order_date) as last_order_date
    from {{ ref('fct_order_lines') }} as order_lines
    group by 1, 2, 3

)

select
    moves.rep_id,
    moves.month_start,
    moves.valid_from as moved_on,
    moves.team_id as moved_to_team_id,
    credited.team_id as credited_team_id,
    credited.net_sales,
    credited.first_order_date,
    credited.last_order_date
from moves
inner join credited
    on moves.rep_id = credited.rep_id
    and moves.month_start = credited.month_start
order by 1, 2, 5
