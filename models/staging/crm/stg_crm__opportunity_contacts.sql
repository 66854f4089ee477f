with source as (

    select * from {{ landing_source('crm', 'crm_opportunity_contacts') }}

),

renamed as (

    select
        {{ stg_id('opportunity_id') }} as opportunity_id,
        {{ stg_id('contact_id') }} as contact_id,
        {{ stg_timestamp('engaged_at') }} as engaged_at
    from source
    where not coalesce({{ stg_bool('is_deleted') }}, false)

)

select * from renamed
