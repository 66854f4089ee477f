"""Orchestrated operation with Dagster and dagster-dbt (optional extra ``orchestration``):
see :mod:`salesperf.orchestration.definitions`."""
