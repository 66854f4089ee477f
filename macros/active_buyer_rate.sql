{#-
    The shape of a "share of active customers who bought one of the products in scope" rate
    (new_product_first_buy_rate, strategic_product_penetration): the CTEs from the buyers to the
    rolled-up counts, written once.

    active_buyer_rate_ctes(name, products_in_scope, buyers)
      name               prefix of the CTEs it writes: <name>_buyer_customers, <name>_periods,
                         <name>_base, <name>_rolled_up (team, rep, company) and <name>_by_product
      products_in_scope  CTE with (period_type, period_start, product_id): the products the rate
                         is about in each period (launched recently, strategic and on sale, ...)
      buyers             CTE with (period_type, period_start, product_id, customer_id): active
                         customers who bought such a product, one row per product and customer
    Reads the CTEs active_customers (period_type, period_start, customer_id, rep_id, team_id:
    the customers active at the period end and their owners) and active_counts (period_type,
    period_start, active_customers) of the calling model. Team, rep and company rows count the
    active customers of a period with a product in scope and those among them who bought one
    (buyers / active_customers); a product row counts the product's buyers over every active
    customer of the company. Every CTE ends with a comma: the caller writes the next one.
-#}
{% macro active_buyer_rate_ctes(name, products_in_scope, buyers) -%}
{{ name }}_buyer_customers as (

    select distinct
        period_type,
        period_start,
        customer_id
    from {{ buyers }}

),

{{ name }}_periods as (

    select distinct
        period_type,
        period_start
    from {{ products_in_scope }}

),

{{ name }}_base as (

    select
        active_customers.period_type,
        active_customers.period_start,
        active_customers.customer_id,
        active_customers.rep_id,
        active_customers.team_id,
        case when {{ name }}_buyer_customers.customer_id is not null then 1 else 0 end as is_buyer
    from active_customers
    inner join {{ name }}_periods
        on active_customers.period_type = {{ name }}_periods.period_type
        and active_customers.period_start = {{ name }}_periods.period_start
    left join {{ name }}_buyer_customers
        on active_customers.period_type = {{ name }}_buyer_customers.period_type
        and active_customers.period_start = {{ name }}_buyer_customers.period_start
        and active_customers.customer_id = {{ name }}_buyer_customers.customer_id

),

{{ name }}_rolled_up as (

    {{ rollup_by_grain_and_period(
        name ~ '_base', none,
        ['sum(is_buyer) as buyers', 'count(*) as active_customers'],
        ['team', 'rep', 'company'],
    ) }}

),

{{ name }}_by_product as (

    select
        'product' as grain,
        {{ products_in_scope }}.product_id as entity_id,
        {{ products_in_scope }}.period_type,
        {{ products_in_scope }}.period_start,
        count({{ buyers }}.customer_id) as buyers,
        coalesce(max(active_counts.active_customers), 0) as active_customers
    from {{ products_in_scope }}
    left join {{ buyers }}
        on {{ products_in_scope }}.period_type = {{ buyers }}.period_type
        and {{ products_in_scope }}.period_start = {{ buyers }}.period_start
        and {{ products_in_scope }}.product_id = {{ buyers }}.product_id
    left join active_counts
        on {{ products_in_scope }}.period_type = active_counts.period_type
        and {{ products_in_scope }}.period_start = active_counts.period_start
    group by 1, 2, 3, 4

),
{%- endmacro %}


{#- The indicator rows of a rate written by active_buyer_rate_ctes(name, ...): team, rep and
    company rows, and the product rows when var report_grains has product. -#}
{% macro active_buyer_rate_rows(name, code) -%}
    {{ indicator_rows(name ~ '_rolled_up', code,
        safe_divide('buyers', 'active_customers'), 'buyers', 'active_customers') }}
    {%- if 'product' in var('report_grains') %}
    union all
    {{ indicator_rows(name ~ '_by_product', code,
        safe_divide('buyers', 'active_customers'), 'buyers', 'active_customers') }}
    {%- endif %}
{%- endmacro %}
