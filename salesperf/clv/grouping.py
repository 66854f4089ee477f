"""Distinct rows of a few float columns, fast: what the CLV fits and predictions compute once per.

``np.unique(np.stack(columns, axis=1), axis=0)`` sorts the rows as records, which takes 1.5 s for
a million customers' (x, t_x, T); :func:`distinct_rows` codes each column on its own (few
distinct values: days, purchase counts; by hashing, the distinct values sorted), combines the
codes into one integer per row and sorts those. The codes are ordered like the values, so the
distinct rows come in the same (lexicographic) order, with the same inverse, as from ``np.unique(..., axis=0)``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np
import pandas as pd

_MAX_KEY = 2**62
T = TypeVar("T")
PART_ROWS = 32_768  # rows per part of a per-row computation: its temporaries stay in the CPU's cache
_POOL: ThreadPoolExecutor | None = None


def distinct_rows(*columns: np.ndarray) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """(the distinct rows' columns, each row's position among them) of equal-length 1-D columns.

    The same result as ``np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)``:
    distinct rows in lexicographic order of the columns."""
    cols = [np.asarray(c, dtype=float).ravel() for c in columns]
    n = cols[0].size
    if n == 0:
        return tuple(c.copy() for c in cols), np.zeros(0, dtype=np.intp)
    key = np.zeros(n, dtype=np.int64)
    size = 1
    for col in cols:
        values, inverse = _sorted_codes(col)
        size *= values.size
        if size >= _MAX_KEY:  # too many combinations for one integer: the record sort
            rows, inverse = np.unique(np.stack(cols, axis=1), axis=0, return_inverse=True)
            return tuple(rows[:, k].copy() for k in range(len(cols))), inverse.ravel()
        key = key * values.size + inverse.ravel()
    keys, inverse = np.unique(key, return_inverse=True)
    inverse = inverse.ravel()
    first = np.empty(keys.size, dtype=np.intp)
    first[inverse[::-1]] = np.arange(n - 1, -1, -1)  # the first row of each distinct key
    return tuple(c[first] for c in cols), inverse


def _sorted_codes(col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(col, return_inverse=True)`` of a float column: by hashing (pandas' factorize, then
    its few distinct values sorted), ~10x faster than numpy's sort of every row; numpy where a NaN is
    (np.unique gathers NaNs into one last value) or a negative zero (equal to zero for np.unique)."""
    if np.isnan(col).any() or np.signbit(col[col == 0]).any():
        return np.unique(col, return_inverse=True)
    inverse, values = pd.factorize(col, sort=True)
    return values, inverse


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1), thread_name_prefix="clv-rows")
    return _POOL


def sums_in_parts(work: Callable[[slice], T], n: int, rows: int) -> list[T]:
    """``work(part)`` of consecutive slices of ``range(n)`` of ``rows`` rows each (a fixed size, not one per
    thread: the same parts, so the same partial sums, on any number of threads), on two threads when there
    are several parts; the results in the parts' order, for the caller to add up in that order."""
    parts = [slice(lo, min(lo + rows, n)) for lo in range(0, n, rows)]
    if len(parts) <= 1:
        return [work(part) for part in parts]
    return list(_pool().map(work, parts))


def in_parts(work: Callable[[slice], None], n: int) -> None:
    """``work(part)`` for consecutive slices of ``range(n)`` of PART_ROWS rows each, on two threads
    when there are several parts (numpy computes without the GIL).

    For per-row computations that write their results into arrays at ``part``: every row gets the
    same operations as in one pass over all rows, so the values are bitwise the same; only the
    temporaries are smaller (they stay in the cache) and the two cores share the work."""
    parts = [slice(lo, min(lo + PART_ROWS, n)) for lo in range(0, n, PART_ROWS)]
    if len(parts) <= 1:
        for part in parts:
            work(part)
        return
    for _ in _pool().map(work, parts):  # re-raises the first error of a part
        pass
