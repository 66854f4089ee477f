with source as (

    select * from {{ landing_source('erp', 'fx_rates') }}

),

renamed as (

    select
        {{ stg_code('currency') }} as currency,
        {{ stg_date('rate_date') }} as rate_date,
        {{ stg_number('rate_to_base') }} as rate_to_base
    from source

)

select * from renamed
