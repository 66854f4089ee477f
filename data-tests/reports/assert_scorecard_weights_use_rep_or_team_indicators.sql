{{ config(store_failures=true) }}
{#- A weight row of seed scorecard_weights must name an indicator of the catalog published at the
    grain its scorecard scores (rep or team; a card without entity_type scores both), and must be
    positive: a failing row names the scorecard and the indicator. -#}
with weights as (

    select * from {{ ref('scorecard_weights') }}

),

catalog as (

    select * from {{ ref('indicator_catalog') }}

)

select
    weights.scorecard,
    weights.indicator_code,
    weights.weight,
    'seeds/scorecard_weights.csv: scorecard ' || weights.scorecard || ' weights ' || weights.indicator_code
    || case
        when catalog.indicator_code is null then ', which is not in the indicator catalog'
        when weights.weight <= 0 then ' with a weight that is not positive'
        else ', which the catalog does not publish at the ' || coalesce(weights.entity_type, 'rep and team') || ' grain'
    end as problem
from weights
left join catalog
    on weights.indicator_code = catalog.indicator_code
where catalog.indicator_code is null
    or weights.weight <= 0
    or catalog.unit = 'flag'
    or (coalesce(weights.entity_type, 'rep') = 'rep' and not {{ in_pipe_list('catalog.grains', "'rep'") }})
    or (coalesce(weights.entity_type, 'team') = 'team' and not {{ in_pipe_list('catalog.grains', "'team'") }})
