"""Fits of past refit dates kept from the previous build: a fit is reused only when its input is the same.

A refit date's fits (pooled and per segment, with the model choice) are a deterministic function of
the customers' summary at that date, the CLV settings, the model selection's choice at the date, the
previous refit date's fits (the warm starts) and the code that computes them. :func:`fit_input_key`
is a digest of exactly these: the summary's values row by row (all its columns but the customer
ids, which the fits never read), the settings, the choice, the key of the previous refit date (so a
changed past date changes every later key) and :func:`code_fingerprint` (the source of
``salesperf.clv`` and the versions of numpy, scipy and pandas). ``fct_clv_model_fits`` stores the key
with every row; the next build (an incremental one starts from the published warehouse) recomputes
the keys, which costs a summary per date and no fit, and takes the stored rows of every date whose
key is unchanged (a new day of orders leaves every earlier month end's input as it was). A changed
order, customer segment, setting, selection or line of code gives another key and a refit.

The predictions of a snapshot date the same way (:func:`prediction_input_key`, stored in
``fct_customer_clv_predictions``): the summary at the date (ids included), the settings, the fit
they are scored with (its ``fit_input_key``) and the code; unchanged dates keep their stored rows.
Both are on by default (var ``clv_reuse_stored``); a full build starts from an empty warehouse, so
it computes everything.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import scipy

KEY_COLUMN = "fit_input_key"
PREDICTION_KEY_COLUMN = "prediction_input_key"
_KEY_VERSION = b"salesperf.clv fit input v1"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Digest of the CLV code (every module of this package) and of the numeric libraries' versions."""
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    for module in (np, scipy, pd):
        h.update(f"{module.__name__} {module.__version__};".encode())
    return h.hexdigest()


_CANONICAL = {"b": np.uint8, "i": np.int64, "u": np.uint64, "f": np.float64, "c": np.complex128}


def _update_with_column(h, name: str, column: pd.Series) -> None:
    """The column's values in row order, in one canonical type per kind (a date is the same date in
    any resolution, an id the same id as object or Arrow string): equal values, equal digest."""
    kind = column.dtype.kind if isinstance(column.dtype, np.dtype) else ""
    kind = kind if kind in ("M", "m") or (kind and kind in _CANONICAL) else "label"
    h.update(f"|{name}:{kind}:{len(column)}|".encode())
    if kind in ("M", "m"):
        values = column.to_numpy().astype(f"{'datetime64' if kind == 'M' else 'timedelta64'}[ns]").view(np.int64)
    elif kind in _CANONICAL:
        values = column.to_numpy().astype(_CANONICAL[kind], copy=False)
    else:  # labels (ids, segments) and anything else: pandas' fixed-key hash of each value
        values = pd.util.hash_pandas_object(column, index=False).to_numpy()
    h.update(np.ascontiguousarray(values).tobytes())


def fit_input_key(summary: pd.DataFrame, settings, as_of: pd.Timestamp, choice, previous_key: str | None) -> str:
    """The digest of everything a refit date's fits are computed from (see the module's docstring)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(_KEY_VERSION)
    h.update(code_fingerprint().encode())
    h.update(repr(settings).encode())
    h.update(pd.Timestamp(as_of).isoformat().encode())
    h.update(repr(None if choice is None else sorted(choice.items())).encode())
    h.update((previous_key or "-").encode())
    for name in summary.columns:
        if name != "customer_id":
            _update_with_column(h, name, summary[name])
    return h.hexdigest()


def prediction_input_key(
    summary: pd.DataFrame, settings, as_of: pd.Timestamp, fit_date: pd.Timestamp, fit_key: str | None
) -> str | None:
    """The digest of everything a snapshot date's predictions are computed from: the customers'
    summary at the date (ids included: they are in the rows), the settings, the fit they are scored
    with (its date and ``fit_input_key``, which determines its rows) and the code. None without a
    fit key (such predictions are never taken from a stored table)."""
    if fit_key is None or pd.isna(fit_key):
        return None
    h = hashlib.blake2b(digest_size=16)
    h.update(_KEY_VERSION + b" predictions")
    h.update(code_fingerprint().encode())
    h.update(repr(settings).encode())
    h.update(f"{pd.Timestamp(as_of).isoformat()} {pd.Timestamp(fit_date).isoformat()} {fit_key}".encode())
    for name in summary.columns:
        _update_with_column(h, name, summary[name])
    return h.hexdigest()


def reusable_rows(stored: pd.DataFrame | None, as_of: pd.Timestamp, key: str) -> pd.DataFrame | None:
    """The stored fit rows of ``as_of`` when they were computed from the input ``key``; else None."""
    if stored is None or stored.empty or KEY_COLUMN not in stored:
        return None
    rows = stored[(pd.to_datetime(stored["as_of_date"]) == as_of) & (stored[KEY_COLUMN] == key)]
    if rows.empty or (stored["as_of_date"].pipe(pd.to_datetime) == as_of).sum() != len(rows):
        return None  # no row of that date, or some of its rows from another input
    return rows
