{#- Every indicator of the company grain, wide: see macro wide_indicator_report. -#}
{{ wide_indicator_report('company') }}
