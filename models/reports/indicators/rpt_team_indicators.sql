{#- Every indicator of the team grain, wide: see macro wide_indicator_report. -#}
{{ wide_indicator_report('team') }}
