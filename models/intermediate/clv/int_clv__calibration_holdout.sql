{#- The calibration/holdout rows of int_clv__diagnostics (one Python model computes both diagnostics). -#}
with diagnostics as (

    select * from {{ ref('int_clv__diagnostics') }}

),

final as (

    select
        as_of_date,
        holdout_end_date,
        segment,
        frequency_class,
        n_customers,
        expected_purchases as expected_holdout_purchases,
        actual_purchases as actual_holdout_purchases,
        holdout_error
    from diagnostics
    where diagnostic = 'calibration_holdout'

)

select * from final
