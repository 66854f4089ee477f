with source as (

    select * from {{ landing_source('erp', 'erp_contracts') }}

),

renamed as (

    select
        {{ stg_id('contract_id') }} as contract_id,
        {{ stg_id('customer_id') }} as customer_id,
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_enum('contract_type') }} as contract_type,
        {{ stg_timestamp('signed_at') }} as signed_at,
        {{ stg_date('start_date') }} as start_date,
        {{ stg_date('end_date') }} as end_date,
        {{ stg_money('contract_value') }} as contract_value,
        {{ stg_code('currency') }} as currency,
        {{ stg_id('renewed_from_contract_id') }} as renewed_from_contract_id,
        {{ stg_enum('status') }} as status
    from source

)

select * from renamed
