with regions as (

    select * from {{ ref('stg_crm__regions') }}

)

select
    region_code,
    region_name,
    market_type
from regions
