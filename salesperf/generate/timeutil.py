"""Day numbers, months, seasonality and timestamp formatting.

Internally a date is an integer day number (days since 1970-01-01) and a timestamp is an integer
number of seconds since 1970-01-01 in local company time (Asia/Shanghai, UTC+8, no daylight saving).
A missing date or timestamp is NaN in a float array.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyarrow as pa

from salesperf.generate.names import digits_into

DAY = 86_400
HOUR = 3_600
UTC_OFFSET_SECONDS = 8 * HOUR  # company time zone Asia/Shanghai
FAR_DAY = 1_000_000  # "never" (open interval, no termination)

# Chinese New Year (day 1 of the lunar year): purchases dip around it.
_CNY = {
    2014: "2014-01-31",
    2015: "2015-02-19",
    2016: "2016-02-08",
    2017: "2017-01-28",
    2018: "2018-02-16",
    2019: "2019-02-05",
    2020: "2020-01-25",
    2021: "2021-02-12",
    2022: "2022-02-01",
    2023: "2023-01-22",
    2024: "2024-02-10",
    2025: "2025-01-29",
    2026: "2026-02-17",
    2027: "2027-02-06",
    2028: "2028-01-26",
    2029: "2029-02-13",
    2030: "2030-02-03",
}

# Month-of-year demand factors: Q4 peak; B2C has the 618 (June) and Double 11 (November) shopping festivals.
_MONTH_FACTOR_B2B = np.array([0.85, 0.75, 1.0, 1.0, 1.0, 1.05, 0.95, 0.9, 1.05, 0.95, 1.15, 1.35])
_MONTH_FACTOR_B2C = np.array([0.9, 0.8, 0.9, 0.9, 1.0, 1.3, 0.9, 0.9, 0.95, 1.0, 1.55, 1.2])


def month_of(days: np.ndarray | int) -> np.ndarray:
    """Months since 1970-01 of day numbers."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return d.astype("datetime64[M]").astype(np.int64)


def month_start(months: np.ndarray | int) -> np.ndarray:
    """Day number of the first day of months-since-1970."""
    m = np.asarray(months, dtype=np.int64).astype("datetime64[M]")
    return m.astype("datetime64[D]").astype(np.int64)


def year_of(days: np.ndarray | int) -> np.ndarray:
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return d.astype("datetime64[Y]").astype(np.int64) + 1970


def weekday(days: np.ndarray | int) -> np.ndarray:
    """0 = Monday ... 6 = Sunday."""
    return (np.asarray(days, dtype=np.int64) + 3) % 7


def to_weekday(days: np.ndarray) -> np.ndarray:
    """Move Saturdays and Sundays back to the Friday before."""
    wd = weekday(days)
    return days - np.where(wd >= 5, wd - 4, 0)


def cny_day(year: int) -> int:
    iso = _CNY.get(year, f"{year}-02-01")
    return int(np.datetime64(iso, "D").astype(np.int64))


def demand_factor(days: np.ndarray, b2b: bool, start_day: int) -> np.ndarray:
    """Relative purchase intensity of each day: season, Chinese New Year dip, weekends, growth."""
    days = np.asarray(days, dtype=np.int64)
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    f = (_MONTH_FACTOR_B2B if b2b else _MONTH_FACTOR_B2C)[months].copy()
    years = year_of(days)
    for y in np.unique(years):
        c = cny_day(int(y))
        f[(days >= c - 6) & (days <= c + 8)] *= 0.35
    f *= np.where(weekday(days) >= 5, 0.25 if b2b else 1.1, 1.0)
    growth = 1.0 + 0.09 * (days - start_day) / 365.25
    return f * np.clip(growth, 0.7, None)


def _ascii(strings: np.ndarray, width: int) -> np.ndarray:
    return np.frombuffer(strings.astype(f"S{width}").tobytes(), dtype=np.uint8).reshape(-1, width)


@lru_cache(maxsize=1)
def _clock_table() -> np.ndarray:
    """'HH:MM:SS' of every second of a day, as an [86400, 8] ASCII matrix."""
    s = np.arange(DAY)
    chars = np.empty((DAY, 8), dtype=np.uint8)
    chars[:, 2] = chars[:, 5] = ord(":")
    for first, part in ((0, s // HOUR), (3, s // 60 % 60), (6, s % 60)):
        digits_into(chars, part, first, 2)
    return chars


def ts_strings(seconds: np.ndarray, utc_mask: np.ndarray | None = None) -> pa.Array:
    """ISO 8601 strings of local timestamps (NaN = NULL).

    Rows flagged in ``utc_mask`` carry the same instant written in UTC with an explicit
    ``+00:00`` offset; the others are naive local time 'YYYY-MM-DD HH:MM:SS'.
    """
    seconds = np.asarray(seconds, dtype=np.float64)
    null = np.isnan(seconds)
    n = len(seconds)
    utc = np.zeros(n, dtype=bool) if utc_mask is None else (np.asarray(utc_mask, dtype=bool) & ~null)
    values = np.where(null, 0, seconds).astype(np.int64) - np.where(utc, UTC_OFFSET_SECONDS, 0)
    day = values // DAY
    lo = int(day.min()) if n else 0
    days = np.arange(lo, (int(day.max()) if n else 0) + 1).astype("datetime64[D]")
    width = 25 if utc.any() else 19
    chars = np.empty((n, width), dtype=np.uint8)
    chars[:, :10] = _ascii(np.datetime_as_string(days), 10)[day - lo]
    chars[:, 10] = ord(" ")
    chars[:, 11:19] = _clock_table()[values - day * DAY]
    valid = pa.py_buffer(np.packbits(~null, bitorder="little").tobytes()) if null.any() else None
    if width == 19:
        offsets = np.arange(n + 1, dtype=np.int32) * 19
        data = chars
    else:
        chars[:, 19:] = np.frombuffer(b"+00:00", dtype=np.uint8)
        length = np.where(utc, 25, 19)
        offsets = np.concatenate([[0], np.cumsum(length)]).astype(np.int32)
        keep = np.ones((n, 25), dtype=bool)
        keep[~utc, 19:] = False
        data = chars[keep]  # row by row: 19 or 25 characters
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data.tobytes()), valid, int(null.sum())
    )


def business_seconds(rng: np.random.Generator, n: int, start_hour: float = 9.0, end_hour: float = 18.0) -> np.ndarray:
    """Seconds after midnight, uniform within office hours."""
    return np.floor(rng.uniform(start_hour * HOUR, end_hour * HOUR, n)).astype(np.int64)


def cap_at(values: np.ndarray, limit: float) -> np.ndarray:
    """NaN where a value lies after ``limit`` (an event that has not happened yet)."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(values > limit, np.nan, values)
