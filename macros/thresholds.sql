{#- Comparisons of computed values with a threshold (a tier, a score band, a rule's limit) that do
    not depend on the last bits of a floating-point sum. The same values added in another order
    (another thread count, DuckDB or Spark) can differ by a few units in the 16th digit, so a
    value that lands exactly on a tier, e.g. 0.4, can come out as 0.39999999999999997: compared
    exactly, it would reach the tier in one build and not in the other.

    reaches(value, threshold): value >= threshold, a value within a relative 1e-9 of the threshold
    (absolute 1e-9 below 1) counting as on it. lower_is_better=true mirrors it: value <= threshold.
    NULL when either is NULL, as the plain comparison. -#}
{% macro reaches(value, threshold, lower_is_better=false) -%}
    {%- set tolerance = '1e-9 * greatest(1.0, abs(' ~ threshold ~ '))' -%}
    {%- if lower_is_better -%}
        ({{ value }} <= {{ threshold }} + {{ tolerance }})
    {%- else -%}
        ({{ value }} >= {{ threshold }} - {{ tolerance }})
    {%- endif -%}
{%- endmacro %}

{#- An ordering key for values that may tie up to float noise (see reaches): rounded to 9 decimals,
    so equal values sort as equal in every build and the next ordering column decides. -#}
{% macro tie_safe(value) -%}
    round({{ value }}, 9)
{%- endmacro %}
