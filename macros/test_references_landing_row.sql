{#- Generic test: every non-empty value of the column exists as <field> in the landing table,
    soft-deleted rows included (a reference to a soft-deleted row is not an orphan: the
    referencing row still counts, per the landing contract). -#}
{% test references_landing_row(model, column_name, source_name, table_name, field) %}

with landing as (

    select distinct {{ stg_id(adapter.quote(field)) }} as key_value
    from {{ landing_source(source_name, table_name) }} as landing_rows
    where {{ adapter.quote(field) }} is not null

)

select child.{{ column_name }}
from {{ model }} as child
left join landing
    on child.{{ column_name }} = landing.key_value
where child.{{ column_name }} is not null
    and landing.key_value is null

{% endtest %}
