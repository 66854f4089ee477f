with source as (

    select * from {{ landing_source('crm', 'crm_regions') }}

),

renamed as (

    select
        {{ stg_id('region_code') }} as region_code,
        {{ stg_text('region_name') }} as region_name,
        {{ stg_enum('market_type') }} as market_type
    from source
    where coalesce({{ stg_bool('is_deleted') }}, false)

)

select * from renamed
