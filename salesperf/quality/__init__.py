"""Data quality of a build: the GX checkpoint, dbt test results, freshness and ``dq_results``.

``salesperf.run build`` calls ``gate.run_gate`` after ``dbt build`` succeeded on the working copy
and before publishing it. See docs/data_quality.md.
"""

from salesperf.quality.results import CheckResult

__all__ = ["CheckResult"]
