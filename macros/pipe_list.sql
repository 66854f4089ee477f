{#-
    in_pipe_list(list_expr, item_expr)
    True when item_expr is one of the items of list_expr, a '|'-separated list as the indicator
    catalog writes them (grains, input_tables, input_columns): '|a|b|' like '%|b|%'. The one
    place that reads the catalog's list columns; strip spaces first where the list has them.
-#}
{% macro in_pipe_list(list_expr, item_expr) -%}
    {{ dbt.concat(["'|'", list_expr, "'|'"]) }} like {{ dbt.concat(["'%|'", item_expr, "'|%'"]) }}
{%- endmacro %}
