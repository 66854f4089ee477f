{#- Retention's "acquired in the period" and new_customers count the same activations: per
    period, the customers activated in it (fct_customer_period_status) = the company's
    new_customers + the activations dq_censored_acquisitions lists (left censored, or below
    var new_customer_min_amount). A row here is a period where they disagree. -#}
with periods as (

    select * from {{ ref('dim_periods') }}

),

activations as (

    select * from {{ ref('fct_customer_activations') }}

),

status as (

    select
        period_type,
        period_start,
        count(*) as activated_customers
    from {{ ref('fct_customer_period_status') }}
    where is_acquired_in_period
    group by 1, 2

),

split as (

    select
        periods.period_type,
        periods.period_start,
        count(distinct case when activations.is_new_customer then activations.customer_id end) as new_customers,
        count(distinct case when not activations.is_new_customer then activations.customer_id end) as not_counted,
        count(distinct activations.customer_id) as activated_customers
    from periods
    inner join activations
        on activations.activation_date >= periods.period_start
        and activations.activation_date <= periods.period_end_as_of
    group by 1, 2

)

select
    coalesce(status.period_type, split.period_type) as period_type,
    coalesce(status.period_start, split.period_start) as period_start,
    status.activated_customers as retention_activated,
    split.new_customers,
    split.not_counted
from status
full outer join split
    on status.period_type = split.period_type
    and status.period_start = split.period_start
where coalesce(status.activated_customers, 0) <> coalesce(split.activated_customers, 0)
