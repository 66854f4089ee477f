"""Time units of the BTYD models: every duration is in an explicit unit, never a silent default.

BG/NBD parameters are unit-dependent (``alpha`` is in the time unit, ``r / alpha`` is a rate per
unit), so a fit and its predictions must use the same unit. Callers name it ("days", "weeks" or
"months"); a month is an average calendar month (365.25 / 12 days).
"""

from __future__ import annotations

from typing import Literal

TimeUnit = Literal["days", "weeks", "months"]

DAYS_PER_UNIT: dict[str, float] = {
    "days": 1.0,
    "weeks": 7.0,
    "months": 365.25 / 12.0,
}

DAYS_PER_MONTH = DAYS_PER_UNIT["months"]


def days_per_unit(time_unit: str) -> float:
    """Length of one ``time_unit`` in days; raises ValueError for an unknown unit."""
    try:
        return DAYS_PER_UNIT[time_unit]
    except KeyError:
        raise ValueError(f"time_unit must be one of {sorted(DAYS_PER_UNIT)}, not {time_unit!r}") from None


def months_to_units(months: float, time_unit: str) -> float:
    """A number of (average) months expressed in ``time_unit``."""
    return months * DAYS_PER_MONTH / days_per_unit(time_unit)
