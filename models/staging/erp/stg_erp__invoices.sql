with source as (

    select * from {{ landing_source('erp', 'erp_invoices') }}

),

renamed as (

    select
        {{ stg_id('invoice_id') }} as invoice_id,
        {{ stg_id('order_id') }} as order_id,
        {{ stg_id('customer_id') }} as customer_id,
        {{ stg_date('invoice_date') }} as invoice_date,
        {{ stg_date('due_date') }} as due_date,
        {{ stg_money('amount') }} as amount,
        {{ stg_code('currency') }} as currency
    from source

)

select * from renamed
