{#- One failing row per account whose category-spend estimate is below its trailing-12-month
    sales (share_of_wallet > 1): listed in dq_implausible_wallet_estimates. Severity warn. -#}
select
    customer_id,
    est_annual_category_spend,
    max_share_of_wallet
from {{ ref('dq_implausible_wallet_estimates') }}
