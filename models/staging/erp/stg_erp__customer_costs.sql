with source as (

    select * from {{ landing_source('erp', 'erp_customer_costs') }}

),

renamed as (

    select
        {{ stg_id('cost_id') }} as cost_id,
        {{ stg_id('customer_id') }} as customer_id,
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_date('cost_date') }} as cost_date,
        {{ stg_enum('cost_type') }} as cost_type,
        {{ stg_money('amount') }} as amount,
        {{ stg_code('currency') }} as currency
    from source

)

select * from renamed
