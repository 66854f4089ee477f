{#- The payout shares of incentive_deferral_rules sum to 1 (the whole bonus is scheduled, never more):
    a row here says by how much they miss. -#}
select sum(payout_share) as payout_share_total
from {{ ref('incentive_deferral_rules') }}
having abs(sum(payout_share) - 1) > 1e-9
