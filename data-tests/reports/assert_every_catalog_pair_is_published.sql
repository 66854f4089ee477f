{#- Every (indicator, grain) the catalog marks has values in indicator_values for every period
    type: an indicator added to the catalog without a model fails the build here. -#}
with catalog as (

    select * from {{ ref('indicator_catalog') }}

),

published as (

    select distinct indicator_code, grain, period_type
    from {{ ref('indicator_values') }}
    where value is not null

),

grains as (

    select 'team' as grain union all select 'rep' union all select 'customer'
    union all select 'product' union all select 'company'

),

expected as (

    select
        catalog.indicator_code,
        grains.grain,
        period_types.period_type
    from catalog
    cross join grains
    cross join {{ period_types() }} as period_types
    where {{ dbt.concat(["'|'", "catalog.grains", "'|'"]) }} like {{ dbt.concat(["'%|'", "grains.grain", "'|%'"]) }}
        or (grains.grain = 'company' and catalog.has_company_total)

)

select expected.*
from expected
left join published
    on expected.indicator_code = published.indicator_code
    and expected.grain = published.grain
    and expected.period_type = published.period_type
where published.indicator_code is null
