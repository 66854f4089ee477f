{#-
    Casts used by staging: landing columns arrive as text (see landing_source) and are typed
    here. An unparseable value becomes NULL; the base models compare the typed value with the
    raw text to find such values (rules unparseable_*), so nothing is lost silently.

    What the landing text may look like (README "Data quality", "How values are read"):
    - Whitespace: every cast first trims all leading and trailing whitespace: spaces, tabs,
      line breaks, no-break space (U+00A0), ideographic space (U+3000) and the other Unicode
      space separators, zero-width space and BOM (U+200B, U+FEFF). Inner whitespace stays.
    - Numbers: optional sign, digits, an optional decimal point with digits, an optional
      exponent (12, -3.5, .5, 5., 1e3, 1.5E-07, +2). Nothing else: no `1_000`, `0x10`, `NaN`,
      `inf`, `Infinity`, currency signs, percent signs or spaces inside. One thousands
      separator style is accepted because spreadsheets export it (quoted in CSV): commas
      between groups of exactly three digits, `1,234.50` = 1234.5; `1,5` or `12,34` are
      unparseable (never read as a decimal comma). A number beyond the double range (1e400)
      is unparseable; a finite one beyond the column's plausible bound (contract `max`) is
      out_of_range. Integers must have an integral value (`12`, `12.0`, `1.2e1`).
    - Booleans: see stg_bool.
    - Dates: strict ISO `YYYY-MM-DD` (no 2024-3-5, no 2024/03/05, no 20240305). A timestamp
      in a date column takes its date in the company time zone: with an offset (Z, +08,
      +0800, +08:00) it is converted to var company_timezone first, without one it already is
      local time.
    - Timestamps: ISO 8601 `YYYY-MM-DD[T| ]hh:mm[:ss[.fraction]]`, with an optional offset;
      a date alone is midnight.
-#}

{#- The characters trimmed from both ends of every value (an RE2 character class). -#}
{% macro stg_whitespace_class() -%}
    [\s\x{0B}\x{1C}-\x{1F}\x{85}\pZ\x{200B}\x{FEFF}]
{%- endmacro %}

{#- The value without leading and trailing whitespace; NULL when nothing is left. A column of the
    `trimmed` CTE of a base model (`trimmed.<column>__text`, scripts/scaffold_staging.py) is trimmed
    already, once per value: it is returned as it is, so every cast below reads it without
    trimming again. -#}
{% macro stg_trim(column) -%}
    {%- if column.startswith('trimmed.') and column.endswith('__text') -%}
        {{ column }}
    {%- else -%}
        {{ adapter.dispatch('stg_trim')(column) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__stg_trim(column) -%}
    nullif(regexp_replace({{ column }}, '^{{ stg_whitespace_class() }}+|{{ stg_whitespace_class() }}+$', '', 'g'), '')
{%- endmacro %}

{#- Spark: regexp_replace replaces every match; the pattern is a Java regex (same classes as RE2 here). -#}
{% macro spark__stg_trim(column) -%}
    nullif(regexp_replace({{ column }}, {{ spark_regex_literal('^' ~ stg_whitespace_class() ~ '+|' ~ stg_whitespace_class() ~ '+$') }}, ''), '')
{%- endmacro %}

{#- A regular expression as a Spark SQL string literal: Spark reads backslash escapes in literals
    (DuckDB does not), so every backslash is doubled to reach the regex engine as written. -#}
{% macro spark_regex_literal(pattern) -%}
    '{{ pattern | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{% macro stg_text(column) -%}
    {{ stg_trim(column) }}
{%- endmacro %}

{% macro stg_id(column) -%}
    {{ stg_trim(column) }}
{%- endmacro %}

{#- Closed lists: trimmed and lower-cased (segment and currency codes are upper-cased instead). -#}
{% macro stg_enum(column) -%}
    lower({{ stg_trim(column) }})
{%- endmacro %}

{% macro stg_code(column) -%}
    upper({{ stg_trim(column) }})
{%- endmacro %}

{#- The text of a number in the strict grammar above, thousands separators removed; NULL when
    the value is empty or not a number. One regular expression does the trimming and the match. -#}
{% macro stg_number_text(column) -%}
    {{ adapter.dispatch('stg_number_text')(column) }}
{%- endmacro %}

{% macro stg_number_pattern() -%}
    ^{{ stg_whitespace_class() }}*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?){{ stg_whitespace_class() }}*$
{%- endmacro %}

{% macro default__stg_number_text(column) -%}
    nullif(replace(regexp_extract(
        {{ column }},
        '{{ stg_number_pattern() }}',
        1
    ), ',', ''), '')
{%- endmacro %}

{% macro spark__stg_number_text(column) -%}
    nullif(replace(regexp_extract({{ column }}, {{ spark_regex_literal(stg_number_pattern()) }}, 1), ',', ''), '')
{%- endmacro %}

{#- A finite double, or NULL. Base models check ranges and parseability on this value, whatever
    the column's storage type. -#}
{% macro stg_number(column) -%}
    {{ stg_double_of_text(stg_number_text(column)) }}
{%- endmacro %}

{#- The finite double of a number text (stg_number_text), or NULL. The base models compute the
    number text once per value and read it with this macro (and stg_money_of_text). -#}
{% macro stg_double_of_text(number_text) -%}
    {{ adapter.dispatch('stg_double_of_text')(number_text) }}
{%- endmacro %}

{% macro default__stg_double_of_text(number_text) -%}
    case
        when isfinite(try_cast({{ number_text }} as double))
            then try_cast({{ number_text }} as double)
    end
{%- endmacro %}

{#- Spark has no isfinite(): NaN and infinities are the values outside the double range (NaN
    compares above every number in Spark). -#}
{% macro spark__stg_double_of_text(number_text) -%}
    case
        when abs(try_cast({{ number_text }} as double)) <= 1.7976931348623157e308
            then try_cast({{ number_text }} as double)
    end
{%- endmacro %}

{#- Money keeps its decimal digits (read from the text, not through a double). -#}
{% macro stg_money(column) -%}
    {{ stg_money_of_text(stg_number_text(column)) }}
{%- endmacro %}

{% macro stg_money_of_text(number_text) -%}
    try_cast({{ number_text }} as decimal(18, 4))
{%- endmacro %}

{#- An integer: a number with an integral value (12, 12.0, 1.2e1); 12.5 is not one. -#}
{% macro stg_int(column) -%}
    {{ stg_int_of_double(stg_number(column)) }}
{%- endmacro %}

{#- The integer of a finite double (stg_number), NULL when its value is not integral. One
    implementation for every engine: a double is integral when it equals its floor (Spark's trunc()
    truncates dates only; for a double, x = floor(x) exactly when x = trunc(x)). -#}
{% macro stg_int_of_double(number) -%}
    case
        when {{ number }} = floor({{ number }})
            then try_cast({{ number }} as bigint)
    end
{%- endmacro %}

{#- Booleans: an explicit list of spellings, case-insensitive. Anything else is NULL (rule
    unparseable_boolean when the cell is not empty). Words that mean "true" for one column only
    (`deleted`, `已删除`, `approved`) are not booleans: map them to one of these. -#}
{% macro stg_bool(column) -%}
    case
        when lower({{ stg_trim(column) }}) in ({{ stg_bool_spellings(true) }}) then true
        when lower({{ stg_trim(column) }}) in ({{ stg_bool_spellings(false) }}) then false
    end
{%- endmacro %}

{% macro stg_bool_spellings(value) -%}
    {%- if value -%}
        'true', 't', 'yes', 'y', '1', '是', '真', '对', '對'
    {%- else -%}
        'false', 'f', 'no', 'n', '0', '否', '假', '错', '錯'
    {%- endif -%}
{%- endmacro %}

{#- The ISO patterns of a date and a timestamp (without, with an offset). -#}
{% macro stg_iso_pattern(kind) -%}
    {%- set day = '[0-9]{4}-[0-9]{2}-[0-9]{2}' -%}
    {%- set clock = '[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\\.[0-9]{1,9})?)?' -%}
    {%- set offset = '(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)' -%}
    {%- if kind == 'date' -%}
        {{ day }}
    {%- elif kind == 'local' -%}
        {{ day }}(?:{{ clock }})?
    {%- else -%}
        {{ day }}{{ clock }}{{ offset }}
    {%- endif -%}
{%- endmacro %}

{#- A timestamp as a naive local timestamp in the company time zone: with an offset (or Z) it
    is converted to var company_timezone; without one it already is local time. -#}
{% macro stg_timestamp(column) -%}
    {{ adapter.dispatch('stg_timestamp')(column) }}
{%- endmacro %}

{% macro default__stg_timestamp(column) -%}
    case
        when regexp_full_match({{ stg_trim(column) }}, '{{ stg_iso_pattern("local") }}')
            then try_cast({{ stg_trim(column) }} as timestamp)
        when regexp_full_match({{ stg_trim(column) }}, '{{ stg_iso_pattern("offset") }}')
            then timezone('{{ var("company_timezone") }}', try_cast({{ stg_trim(column) }} as timestamptz))
    end
{%- endmacro %}

{#- Spark (session time zone UTC, profiles.yml): a text with an offset casts to its instant, which
    from_utc_timestamp turns into the company's wall-clock time. Spark's cast reads the offsets Z and
    +hh:mm only: +hh and +hhmm are rewritten to +hh:mm first. `rlike` finds a match anywhere, so the
    pattern is anchored at both ends. -#}
{% macro spark__stg_timestamp(column) -%}
    case
        when {{ stg_trim(column) }} rlike {{ spark_regex_literal('^(?:' ~ stg_iso_pattern("local") ~ ')$') }}
            then try_cast({{ stg_trim(column) }} as timestamp)
        when {{ stg_trim(column) }} rlike {{ spark_regex_literal('^(?:' ~ stg_iso_pattern("offset") ~ ')$') }}
            then from_utc_timestamp(
                try_cast(regexp_replace(regexp_replace({{ stg_trim(column) }},
                    {{ spark_regex_literal('([+-][0-9]{2})([0-9]{2})$') }}, '$1:$2'),
                    {{ spark_regex_literal('([+-][0-9]{2})$') }}, '$1:00') as timestamp),
                '{{ var("company_timezone") }}'
            )
    end
{%- endmacro %}

{#- A date: strict ISO; a timestamp given instead takes its date in the company time zone. -#}
{% macro stg_date(column) -%}
    {{ adapter.dispatch('stg_date')(column) }}
{%- endmacro %}

{% macro spark__stg_date(column) -%}
    case
        when {{ stg_trim(column) }} rlike {{ spark_regex_literal('^(?:' ~ stg_iso_pattern("date") ~ ')$') }}
            then try_cast({{ stg_trim(column) }} as date)
        else cast({{ stg_timestamp(column) }} as date)
    end
{%- endmacro %}

{% macro default__stg_date(column) -%}
    case
        when regexp_full_match({{ stg_trim(column) }}, '{{ stg_iso_pattern("date") }}')
            then try_cast({{ stg_trim(column) }} as date)
        else cast({{ stg_timestamp(column) }} as date)
    end
{%- endmacro %}
