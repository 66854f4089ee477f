"""Scales, run settings and seeded random streams of the generator."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

DEFAULT_SEED = 42
DEFAULT_START = date(2023, 1, 1)
DEFAULT_AS_OF = date(2026, 10, 31)  # last day of history; never "today" (determinism)
FORMATS = ("parquet", "csv")

# Customers are processed in blocks of this size. It is a constant (not a scale setting) so that the
# random streams, which are keyed by block number, depend on the seed and the scale only.
CHUNK_CUSTOMERS = 20_000


@dataclass(frozen=True)
class Scale:
    name: str
    n_teams: int
    n_reps: int
    n_customers: int
    n_products: int
    purchase_rate: float  # multiplier of every customer's purchase rate (volume calibration)
    activity_rate: float  # multiplier of CRM activity volumes


SCALES: dict[str, Scale] = {
    "small": Scale(
        "small", n_teams=9, n_reps=50, n_customers=3_000, n_products=60, purchase_rate=1.0, activity_rate=1.0
    ),
    "medium": Scale(
        "medium", n_teams=40, n_reps=400, n_customers=60_000, n_products=120, purchase_rate=1.0, activity_rate=0.8
    ),
    "large": Scale(
        "large", n_teams=160, n_reps=2_000, n_customers=1_000_000, n_products=200, purchase_rate=0.75, activity_rate=0.5
    ),
}


@dataclass(frozen=True)
class GenConfig:
    out_dir: Path
    seed: int = DEFAULT_SEED
    scale: Scale = SCALES["small"]
    fmt: str = "parquet"
    start: date = DEFAULT_START
    as_of: date = DEFAULT_AS_OF

    def __post_init__(self) -> None:
        if self.fmt not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, not {self.fmt!r}")
        if self.as_of <= self.start:
            raise ValueError("as_of must be after start")
        if (self.as_of - self.start).days < 400:
            raise ValueError("the history must span more than a year (year-over-year indicators)")

    @property
    def start_day(self) -> int:
        return day_number(self.start)

    @property
    def as_of_day(self) -> int:
        return day_number(self.as_of)

    def rng(self, *keys: str | int) -> np.random.Generator:
        return rng_for(self.seed, *keys)


def day_number(d: date) -> int:
    """Days since 1970-01-01."""
    return int(np.datetime64(d, "D").astype(np.int64))


def rng_for(seed: int, *keys: str | int) -> np.random.Generator:
    """An independent random stream for (seed, keys): one per table, or per table and customer block."""
    spawn_key = tuple(zlib.crc32(k.encode()) if isinstance(k, str) else int(k) for k in keys)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=spawn_key))
