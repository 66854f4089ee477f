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

{#- Stops the run before any model when a company setting cannot be read, naming the var and the
    environment variable that sets it (on-run-start in dbt_project.yml). Empty = not set. -#}
{%- macro validate_settings() -%}
    {%- if execute -%}
        {%- set problems = [] -%}
        {%- for name in ['as_of_date', 'order_history_complete_from', 'calendar_start_date', 'calendar_end_date'] -%}
            {%- set value = var(name, none) -%}
            {%- if setting_is_set(name) -%}
                {%- set text = value | string | trim -%}
                {%- set ok = modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
                {%- if ok -%}
                    {%- set ok = _settings_parse_date(text) -%}
                {%- endif -%}
                {%- if not ok -%}
                    {%- do problems.append(name ~ " = '" ~ text ~ "' is not a date YYYY-MM-DD (env SALESPERF_"
                        ~ _settings_env_name(name) ~ ")") -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for name, low, high in [('fiscal_year_start_month', 1, 12), ('active_window_months', 1, 600)] -%}
            {%- set text = var(name, none) | string | trim -%}
            {%- if not modules.re.match('^[0-9]+$', text) or (text | int) < low or (text | int) > high -%}
                {%- do problems.append(name ~ " = '" ~ text ~ "' is not a whole number from " ~ low ~ " to " ~ high
                    ~ " (env SALESPERF_" ~ _settings_env_name(name) ~ ")") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set currency = var('base_currency', none) | string | trim -%}
        {%- if not modules.re.match('^[A-Z]{3}$', currency) -%}
            {%- do problems.append("base_currency = '" ~ currency ~ "' is not an ISO 4217 code such as USD or CNY"
                ~ " (env SALESPERF_BASE_CURRENCY)") -%}
        {%- endif -%}
        {%- if problems -%}
            {{ exceptions.raise_compiler_error("Company settings that cannot be read: " ~ (problems | join('; '))
                ~ ". Fix the environment variable or --vars and build again.") }}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro -%}

{%- macro _settings_env_name(name) -%}
    {{- {'company_timezone': 'TIMEZONE'}.get(name, name | upper) -}}
{%- endmacro -%}

{%- macro _settings_parse_date(text) -%}
    {%- set parts = text.split('-') -%}
    {%- set year, month, day = parts[0] | int, parts[1] | int, parts[2] | int -%}
    {%- set days = [31, 29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28,
        31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
    {{- return(1 <= month <= 12 and 1 <= day <= days[month - 1]) -}}
{%- endmacro -%}
