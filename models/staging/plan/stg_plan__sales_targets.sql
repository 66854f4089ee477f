with source as (

    select * from {{ landing_source('plan', 'plan_sales_targets') }}

),

renamed as (

    select
        {{ stg_enum('target_grain') }} as target_grain,
        {{ stg_id('entity_id') }} as entity_id,
        {{ stg_date('month') }} as target_month,
        {{ stg_money('target_sales_amount') }} as target_sales_amount,
        {{ stg_int('target_new_customers') }} as target_new_customers,
        {{ stg_number('target_collection_rate') }} as target_collection_rate,
        {{ stg_number('target_gross_margin_rate') }} as target_gross_margin_rate
    from source

)

select * from renamed
