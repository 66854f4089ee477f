{#- A custom schema is used as it is (staging, reference), not prefixed with the target schema:
    BI users see `staging.stg_crm__accounts` and `main.indicator_values`, the same in every target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
