{#- Audit: monthly sales in indicator_values (company) against the ERP order lines, recomputed
    here from staging with the same rules (confirmed orders, fx of the order date). Every row
    should show a difference of 0; run with `dbt compile --select reconcile_monthly_sales_to_erp`
    and paste the compiled SQL into DuckDB, or `dbt show --select ...`. -#}
with published as (

    select period_start as month_start, value as published_sales
    from {{ ref('indicator_values') }}
    where indicator_code = 'sales_amount'
        and grain = 'company'
        and period_type = 'month'

),

erp as (

    select
        cast({{ dbt.date_trunc('month', 'orders.order_date') }} as date) as month_start,
        sum((lines.quantity * lines.unit_price - coalesce(lines.discount_amount, 0)) * fx.rate_to_base) as erp_sales,
        count(*) as erp_lines,
        sum(case when fx.rate_to_base is null then 1 else 0 end) as lines_without_rate
    from {{ ref('stg_erp__sales_order_lines') }} as lines
    inner join {{ ref('stg_erp__sales_orders') }} as orders
        on lines.order_id = orders.order_id
    {{ join_fx_on_date('fx', 'orders.currency', 'orders.order_date') }}
    where orders.status = 'confirmed'
    group by 1

)

select
    coalesce(erp.month_start, published.month_start) as month_start,
    erp.erp_lines,
    erp.lines_without_rate,
    erp.erp_sales,
    published.published_sales,
    coalesce(published.published_sales, 0) - coalesce(erp.erp_sales, 0) as difference
from erp
full outer join published
    on erp.month_start = published.month_start
order by 1
