{#- The tracking rows of int_clv__diagnostics (one Python model computes both diagnostics). -#}
with diagnostics as (

    select * from {{ ref('int_clv__diagnostics') }}

),

final as (

    select
        as_of_date,
        segment,
        period_end_date,
        months_after,
        n_customers,
        expected_purchases as expected_cumulative_purchases,
        actual_purchases as actual_cumulative_purchases
    from diagnostics
    where diagnostic = 'tracking'

)

select * from final
