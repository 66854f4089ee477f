with source as (

    select * from {{ landing_source('plan', 'market_sizes') }}

),

renamed as (

    select
        {{ stg_id('region_code') }} as region_code,
        {{ stg_text('category') }} as category,
        {{ stg_int('year') }} as market_year,
        {{ stg_money('market_size_amount') }} as market_size_amount
    from source

)

select * from renamed
