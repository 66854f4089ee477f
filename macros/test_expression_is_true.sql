{#- Generic test: every row satisfies a SQL expression (the failing rows are returned). -#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
