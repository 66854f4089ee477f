{#- Loyalty: repurchase_rate and referral_count.
    - repurchase_rate: B2C customers with >= 2 distinct confirmed orders in the period /
      B2C customers with >= 1 (fct_order_lines: cancelled and soft-deleted orders are already
      out). Distinct counts, so each period is counted over its whole span, never summed from
      months. At the rep grain only the orders credited to the rep count, at the team grain
      those credited to the team (the rep's team on the order date), at the product grain the
      orders containing the product. B2C = the account's segment (dim_customers: a
      soft-deleted account keeps its segment and its orders count); a customer whose segment
      is unknown (no account row) is left out. Return orders are not purchases.
    - referral_count: referrals with referred_at in the period; to the referrer customer, the
      rep who owned it on the referral date and that rep's team on the same date. -#}
with order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

referrals as (

    select * from {{ ref('fct_referrals') }}

),

b2c_order_products as (

    select distinct
        order_lines.order_id,
        order_lines.order_date,
        order_lines.customer_id,
        order_lines.rep_id,
        order_lines.team_id,
        order_lines.product_id
    from order_lines
    inner join customers
        on order_lines.customer_id = customers.customer_id
    where customers.segment = 'B2C'
        {# A return is no purchase: a sale and its return are one order, not a repeat. #}
        and order_lines.order_type is distinct from 'return'

),

customer_orders as (

    {{ rollup_by_grain_and_period(
        'b2c_order_products', 'order_date',
        ['count(distinct order_id) as orders'],
        ['team', 'rep', 'product', 'company'],
        breakdown_keys=['customer_id'],
    ) }}

),

repurchase as (

    select
        grain,
        entity_id,
        period_type,
        period_start,
        count(*) as buying_customers,
        sum(case when orders >= 2 then 1 else 0 end) as repeat_customers
    from customer_orders
    group by 1, 2, 3, 4

),

referral_events as (

    select
        referral_id,
        referral_date,
        referrer_customer_id as customer_id,
        referrer_owner_rep_id as rep_id,
        referrer_owner_team_id as team_id
    from referrals

),

referral_counts as (

    {{ rollup_by_grain_and_period(
        'referral_events', 'referral_date',
        ['count(*) as referrals'],
        ['team', 'rep', 'customer', 'company'],
    ) }}

),

indicators as (

    {{ indicator_rows('repurchase', 'repurchase_rate',
        safe_divide('repeat_customers', 'buying_customers'), 'repeat_customers', 'buying_customers') }}
    union all
    {{ indicator_rows('referral_counts', 'referral_count', 'referrals', 'referrals') }}

)

select * from indicators
