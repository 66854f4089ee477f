{#- Company settings (vars) as SQL literals. A var set by an environment variable is text
    (dbt_project.yml renders it), so an empty text, None or null means "not set": NULL. -#}
{%- macro setting_text(name) -%}
    {%- set value = var(name, none) -%}
    {%- if value is none or (value | string | trim) in ('', 'None', 'none', 'null') -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        cast('{{ value | string | trim | replace("'", "''") }}' as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro -%}
{%- macro setting_date(name) -%}
    {%- set value = var(name, none) -%}
    {%- if value is none or (value | string | trim) in ('', 'None', 'none', 'null') -%}
        cast(null as date)
    {%- else -%}
        cast('{{ value | string | trim }}' as date)
    {%- endif -%}
{%- endmacro -%}

{#- True when a setting has a value (not empty, None or null). -#}
{%- macro setting_is_set(name) -%}
    {%- set value = var(name, none) -%}
    {{ return(not (value is none or (value | string | trim) in ('', 'None', 'none', 'null'))) }}
{%- endmacro -%}
