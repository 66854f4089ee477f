with regions as (

    select
        *,
        false as is_deleted
    from {{ ref('stg_crm__regions') }}
    union all
    select
        *,
        true as is_deleted
    from {{ ref('stg_crm__regions_deleted') }}

)

select
    region_code,
    region_name,
    market_type,
    is_deleted
from regions
