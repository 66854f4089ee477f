{#- "Today" for every model: var as_of_date, or else the latest order date of the landing data.
    Hand-written (not generated): it sits in the base layer because the base models read it.
    Nothing reads the clock, so two builds of the same data give identical tables.
    A few orders dated far in the future (a typo, 2099) must not move "today": the default is
    the last order date before the first gap of more than var as_of_max_gap_days between
    consecutive order dates in the later half of the history. Orders after the as-of date are
    quarantined as future_date. -#}
with orders as (

    select * from {{ ref('base_erp__sales_orders') }}
    where dq_rule is null
        and not is_deleted
        and order_date is not null

),

order_dates as (

    select distinct order_date from orders

),

gaps as (

    select
        order_date,
        lag(order_date) over (order by order_date) as previous_order_date,
        row_number() over (order by order_date) as date_rank,
        count(*) over () as dates
    from order_dates

),

first_late_gap as (

    select min(order_date) as gap_end_date
    from gaps
    where date_rank > dates / 2
        and {{ dbt.datediff('previous_order_date', 'order_date', 'day') }}
        > {{ var('as_of_max_gap_days') }}

),

final as (

    select
        {% if var('as_of_date') -%}
        cast('{{ var("as_of_date") }}' as date) as as_of_date,
        {%- else -%}
        max(case
            when first_late_gap.gap_end_date is null or order_dates.order_date < first_late_gap.gap_end_date
                then order_dates.order_date
        end) as as_of_date,
        {%- endif %}
        min(order_dates.order_date) as history_start_date
    from order_dates
    cross join first_late_gap

)

select * from final
