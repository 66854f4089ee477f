"""Paths and knobs shared by the commands, from environment variables with defaults.

The same variables drive ``profiles.yml`` and ``dbt_project.yml``, so the Python commands,
dbt run by hand and the dashboard all agree on where things are.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]


def _path(env: str, default: str) -> Path:
    value = Path(os.environ.get(env, default)).expanduser()
    return value if value.is_absolute() else (PROJECT_DIR / value)


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse: Path  # the published file: the dashboard and BI tools read only this one
    threads: int

    @property
    def build_warehouse(self) -> Path:
        """The working copy a build writes; published by an atomic rename when the build passes."""
        return self.warehouse.parent / ".build" / self.warehouse.name


def load() -> Settings:
    return Settings(
        landing_dir=_path("SALESPERF_LANDING_DIR", "data/landing"),
        warehouse=_path("SALESPERF_WAREHOUSE", "warehouse/sales_performance.duckdb"),
        threads=int(os.environ.get("SALESPERF_THREADS", "4")),
    )
