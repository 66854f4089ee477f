{#- Every indicator of the product grain, wide: see macro wide_indicator_report. -#}
{{ wide_indicator_report('product') }}
