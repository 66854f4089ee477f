{#-
    health_scale(value, at_zero, at_hundred)
    A raw measure onto 0-100: linear from at_zero (score 0) to at_hundred (score 100), clamped to
    [0, 100]; works both ways (at_zero > at_hundred for lower-is-better measures). NULL stays NULL
    (an explicit case: DuckDB's greatest/least skip NULL arguments and would turn it into 0).
-#}
{% macro health_scale(value, at_zero, at_hundred) -%}
    case when {{ value }} is not null then greatest(0.0, least(100.0,
        100.0 * (cast({{ value }} as double) - ({{ at_zero }})) / (({{ at_hundred }}) - ({{ at_zero }}))
    )) end
{%- endmacro %}


{#-
    mean_of_present(expressions)
    Mean of the expressions that are not NULL; NULL when all are NULL (a missing component is
    left out of the mean, never read as 0).
-#}
{% macro mean_of_present(expressions) -%}
    (
        {%- for e in expressions %}
        coalesce({{ e }}, 0.0){{ ' +' if not loop.last }}
        {%- endfor %}
    ) / nullif(
        {%- for e in expressions %}
        case when {{ e }} is null then 0 else 1 end{{ ' +' if not loop.last }}
        {%- endfor %}
    , 0)
{%- endmacro %}
