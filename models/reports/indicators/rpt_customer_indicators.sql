{#- Every indicator of the customer grain, wide: see macro wide_indicator_report. -#}
{{ wide_indicator_report('customer') }}
