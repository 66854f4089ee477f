{#- Public face of int_clv__model_selection (a dbt Python model), with an enforced contract. -#}
with source as (

    select * from {{ ref('int_clv__model_selection') }}

),

final as (

    select
        calibration_end_date,
        holdout_end_date,
        segment,
        model,
        n_customers,
        n_repeat_buyers,
        n_parameters,
        calibration_log_likelihood,
        converged,
        parameters,
        holdout_expected_purchases,
        holdout_actual_purchases,
        holdout_error,
        holdout_total_error,
        is_chosen,
        message
    from source

)

select * from final
