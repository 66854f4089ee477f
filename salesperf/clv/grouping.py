"""Distinct rows of a few float columns, fast: what the CLV fits and predictions compute once per.

``np.unique(np.stack(columns, axis=1), axis=0)`` sorts the rows as records, which takes 1.5 s for
a million customers' (x, t_x, T); :func:`distinct_rows` sorts each column on its own (few
distinct values: days, purchase counts), combines the codes into one integer per row and sorts
those. The codes are ordered like the values, so the distinct rows come in the same
(lexicographic) order, with the same inverse, as from ``np.unique(..., axis=0)``.
"""

from __future__ import annotations

import numpy as np

_MAX_KEY = 2**62


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
        values, inverse = np.unique(col, return_inverse=True)
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
