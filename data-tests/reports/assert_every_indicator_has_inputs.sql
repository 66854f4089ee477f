{#- Every catalog indicator is listed in seed indicator_inputs. -#}
select catalog.indicator_code
from {{ ref('indicator_catalog') }} as catalog
left join {{ ref('indicator_inputs') }} as inputs
    on catalog.indicator_code = inputs.indicator_code
where inputs.indicator_code is null
