{#- Public face of int_clv__calibration_holdout (a dbt Python model), with an enforced contract. -#}
with source as (

    select * from {{ ref('int_clv__calibration_holdout') }}

),

final as (

    select
        as_of_date,
        holdout_end_date,
        segment,
        frequency_class,
        n_customers,
        expected_holdout_purchases,
        actual_holdout_purchases,
        holdout_error
    from source

)

select * from final
