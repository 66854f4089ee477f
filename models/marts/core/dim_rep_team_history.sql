{#- Team membership of every rep over time (valid_from <= d < valid_to; NULL valid_to = current). -#}
with intervals as (

    select * from {{ ref('int_rep_team_intervals') }}

)

select
    rep_id,
    team_id,
    valid_from,
    valid_to,
    assignment_source
from intervals
