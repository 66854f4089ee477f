"""salesperf: a dbt + DuckDB warehouse for sales-team performance.

Python side of the project: the landing contract (`contract`), the demo-data generator
(`generate`), settings shared by the commands (`settings`) and the main job (`run`).
"""

__version__ = "0.1.0"
