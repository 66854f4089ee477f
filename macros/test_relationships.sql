{#- dbt's relationships test, returning the whole failing row (not only the unknown id): with
    store_failures, the gate names the rows behind a failure by their keys (dq_results). The
    failing rows are the same as dbt's own test's. -#}
{% macro default__test_relationships(model, column_name, to, field) %}

with child as (

    select {{ column_name }} as from_field, *
    from {{ model }}
    where {{ column_name }} is not null

),

parent as (

    select {{ field }} as to_field
    from {{ to }}

)

select child.*
from child
left join parent
    on child.from_field = parent.to_field
where parent.to_field is null

{% endmacro %}
