with source as (

    select * from {{ landing_source('erp', 'erp_expenses') }}

),

renamed as (

    select
        {{ stg_id('expense_id') }} as expense_id,
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_date('expense_date') }} as expense_date,
        {{ stg_enum('category') }} as category,
        {{ stg_money('amount') }} as amount,
        {{ stg_code('currency') }} as currency,
        {{ stg_bool('approved') }} as approved,
        {{ stg_bool('policy_compliant') }} as policy_compliant
    from source

)

select * from renamed
