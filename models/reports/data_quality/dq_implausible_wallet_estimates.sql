{#- Accounts whose estimate of annual category spend (crm_accounts.est_annual_category_spend) is
    implausibly low: the trailing-12-month sales to them exceed it, so share_of_wallet > 1 at
    some period end. One row per account, with the estimate, the largest share and how many
    period rows exceed 1. The figure itself is kept (the catalog: above 1 means the estimate is
    too low); the warn test assert_no_implausible_wallet_estimates reports the accounts in
    dq_results, the build summary and the data-quality page. A report (not a mart): it reads an
    indicator family. -#}
with wallet as (

    select * from {{ ref('int_indicators__customer_relationship') }}
    where indicator_code = 'share_of_wallet'
        and grain = 'customer'
        and value > 1

),

final as (

    select
        entity_id as customer_id,
        max(denominator) as est_annual_category_spend,
        max(numerator) as max_trailing_12m_sales,
        max(value) as max_share_of_wallet,
        count(*) as period_rows_above_1,
        min(period_start) as first_period_start,
        max(period_start) as last_period_start
    from wallet
    group by 1

)

select * from final
