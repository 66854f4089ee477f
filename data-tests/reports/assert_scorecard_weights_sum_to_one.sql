{{ config(store_failures=true) }}
{#- Each scorecard of seed scorecard_weights is resolved as a whole, so its weights must sum to 1
    and its rows must share one filter set: a failing row names the scorecard and the problem
    (int_scorecard__scorecards.problem). -#}
select
    scorecard,
    weight_sum,
    problem
from {{ ref('int_scorecard__scorecards') }}
where problem is not null
