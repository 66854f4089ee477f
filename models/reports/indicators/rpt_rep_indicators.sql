{#- Every indicator of the rep grain, wide: see macro wide_indicator_report. -#}
{{ wide_indicator_report('rep') }}
