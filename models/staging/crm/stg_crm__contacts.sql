with source as (

    select * from {{ landing_source('crm', 'crm_contacts') }}

),

renamed as (

    select
        {{ stg_id('contact_id') }} as contact_id,
        {{ stg_id('customer_id') }} as customer_id,
        {{ stg_text('contact_name') }} as contact_name,
        {{ stg_text('email') }} as email,
        {{ stg_text('phone') }} as phone,
        {{ stg_enum('decision_role') }} as decision_role
    from source
    where not coalesce({{ stg_bool('is_deleted') }}, false)

)

select * from renamed
