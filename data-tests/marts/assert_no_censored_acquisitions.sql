{#- First orders that new_customers does not count because the order history may be incomplete
    (left censoring): one failing row each. Severity warn: the build publishes and says how many. -#}
select
    customer_id,
    order_id,
    activation_date,
    not_new_reason
from {{ ref('dq_censored_acquisitions') }}
where not_new_reason in ('first_order_within_window_of_history_start', 'history_incomplete_before_complete_from')
