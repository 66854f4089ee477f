with source as (

    select * from {{ landing_source('erp', 'erp_payments') }}

),

renamed as (

    select
        {{ stg_id('payment_id') }} as payment_id,
        {{ stg_id('invoice_id') }} as invoice_id,
        {{ stg_date('payment_date') }} as payment_date,
        {{ stg_money('amount') }} as amount,
        {{ stg_code('currency') }} as currency
    from source

)

select * from renamed
