{#- Generic test: the model has exactly one row (the key of a one-row model, e.g. the settings of
    a build: no column identifies a row, the row count is the whole key). -#}
{% test one_row(model) %}

select count(*) as row_count
from {{ model }}
having count(*) <> 1

{% endtest %}
