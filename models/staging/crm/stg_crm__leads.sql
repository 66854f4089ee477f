with source as (

    select * from {{ landing_source('crm', 'crm_leads') }}

),

renamed as (

    select
        {{ stg_id('lead_id') }} as lead_id,
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_text('lead_source') }} as lead_source,
        {{ stg_timestamp('created_at') }} as created_at,
        {{ stg_enum('status') }} as status,
        {{ stg_id('converted_customer_id') }} as converted_customer_id,
        {{ stg_timestamp('converted_at') }} as converted_at
    from source
    where not coalesce({{ stg_bool('is_deleted') }}, false)

)

select * from renamed
