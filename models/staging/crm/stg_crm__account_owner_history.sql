with source as (

    select * from {{ landing_source('crm', 'crm_account_owner_history') }}

),

renamed as (

    select
        {{ stg_id('customer_id') }} as customer_id,
        {{ stg_id('owner_rep_id') }} as owner_rep_id,
        {{ stg_date('valid_from') }} as valid_from,
        {{ stg_date('valid_to') }} as valid_to
    from source
    where not coalesce({{ stg_bool('is_deleted') }}, false)

)

select * from renamed
