{#- Every (indicator, grain, period_type) the data can give (indicator_coverage.is_expected: the
    catalog's pairs whose input tables have rows and whose comparison periods exist in the
    history) has values in indicator_values: an indicator added to the catalog without a model,
    or a grain or period type a model forgot, fails here. -#}
with expected as (

    select indicator_code, grain, period_type
    from {{ ref('indicator_coverage') }}
    where is_expected

),

published as (

    select distinct indicator_code, grain, period_type
    from {{ ref('indicator_values') }}
    where value is not null

)

select expected.*
from expected
left join published
    on expected.indicator_code = published.indicator_code
    and expected.grain = published.grain
    and expected.period_type = published.period_type
where published.indicator_code is null
