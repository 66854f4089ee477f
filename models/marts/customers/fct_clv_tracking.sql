{#- Public face of int_clv__tracking (a dbt Python model), with an enforced contract. -#}
with source as (

    select * from {{ ref('int_clv__tracking') }}

),

final as (

    select
        as_of_date,
        segment,
        period_end_date,
        months_after,
        n_customers,
        expected_cumulative_purchases,
        actual_cumulative_purchases
    from source

)

select * from final
