{#- Owner rep of every customer over time (valid_from <= d < valid_to; NULL valid_to = current). -#}
with intervals as (

    select * from {{ ref('int_customer_owner_intervals') }}

)

select
    customer_id,
    owner_rep_id,
    valid_from,
    valid_to
from intervals
