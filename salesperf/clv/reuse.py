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
``fct_customer_clv_predictions``): the purchases up to the date with the segments, the settings,
the fit they are scored with (its ``fit_input_key``) and the code; unchanged dates keep their
stored rows.
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

from salesperf.clv.summary import customer_ids_by_code

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


_VALUE_COLUMNS = ("spend", "gross_profit_with_cost", "net_sales_with_cost")


def purchase_digests(purchases: pd.DataFrame, labels: pd.Series, dates) -> dict[pd.Timestamp, str]:
    """{date: digest of every purchase on or before it and of the customers' segments}, in one pass.

    ``purchases`` come from :func:`~salesperf.clv.summary.sort_purchases` (``customer_code``),
    ``labels`` from :func:`~salesperf.clv.segments.segment_labels`. A date's summary (and so its fits
    and predictions) is computed from exactly these rows and labels. The rows are put in the period of
    the first of ``dates`` on or after their day (rows after the last date are never read); the digests
    come from one running hash over the periods in order, each period as its end date, its number of rows
    and then, column by column, the rows' days, customer ids' hashes, segments' hashes, spend, gross
    profit and net sales with cost, the rows in the order of the customer ids and days. So a date's digest
    is that of its purchases and of the dates before it: the same purchases up to a date and the same
    earlier dates give the same digest (a date added after it, such as a new as-of date, changes none).
    Equal values give equal digests whatever their types (ids as object or Arrow strings, days in any
    resolution). No sort of the rows by day: each period's rows are read in the order they come."""
    codes = purchases["customer_code"].to_numpy()
    days = pd.to_datetime(purchases["purchase_date"]).to_numpy().astype("datetime64[ns]").view(np.int64)
    wanted = sorted({pd.Timestamp(d) for d in dates})
    ends = np.array([d.value for d in wanted], dtype=np.int64)
    period = np.searchsorted(ends, days, side="left")  # the first date on or after the day
    # rows without a customer or a day never count (NaT is the smallest int64: it would fall in the first period)
    keep = (codes >= 0) & (days != np.iinfo(np.int64).min) & (period < ends.size)
    rows = np.flatnonzero(keep)
    small = period[rows].astype(np.int16 if ends.size < 2**15 else np.int64)  # 16 bits: numpy's radix sort
    rows = rows[np.argsort(small, kind="stable")]  # by period, then in the rows' order (customer id, day)
    counts = np.bincount(small, minlength=ends.size)
    id_hash = pd.util.hash_pandas_object(customer_ids_by_code(purchases), index=False).to_numpy()
    label_hash = pd.util.hash_pandas_object(pd.Series(labels.array), index=False).to_numpy()
    values = [purchases[column].to_numpy(dtype=np.float64) for column in _VALUE_COLUMNS]
    h = hashlib.blake2b(digest_size=16)
    h.update(b"purchases v2")
    out: dict[pd.Timestamp, str] = {}
    start = 0
    for day, end, count in zip(wanted, ends, counts, strict=True):
        part = rows[start : start + count]
        start += count
        h.update(np.array([end, count], dtype=np.int64).tobytes())
        code = codes[part]
        columns = [days[part], id_hash[code], label_hash[code] if label_hash.size else np.zeros(count, np.uint64)]
        for column in [*columns, *(v[part] for v in values)]:
            h.update(np.ascontiguousarray(column).view(np.uint8))
        out[day] = h.copy().hexdigest()
    return out


def _key(kind: bytes, settings, *parts) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(_KEY_VERSION + kind)
    h.update(code_fingerprint().encode())
    h.update(repr(settings).encode())
    h.update(repr(parts).encode())
    return h.hexdigest()


def fit_input_key(purchase_digest: str, settings, as_of: pd.Timestamp, choice, previous_key: str | None) -> str:
    """The digest of everything a refit date's fits are computed from (see the module's docstring):
    ``purchase_digest`` of the date (:func:`purchase_digests`), the settings, the model selection's
    ``choice`` at the date, the previous refit date's key and the code."""
    ranked = None if choice is None else sorted((str(k), [str(m) for m in v]) for k, v in choice.items())
    return _key(b" fits", settings, pd.Timestamp(as_of).isoformat(), ranked, previous_key, purchase_digest)


def prediction_input_key(
    purchase_digest: str, settings, as_of: pd.Timestamp, fit_date: pd.Timestamp, fit_key: str | None
) -> str | None:
    """The digest of everything a snapshot date's predictions are computed from: the purchases up to
    the date and the segments (``purchase_digest``), the settings, the fit they are scored with (its
    date and ``fit_input_key``, which determines its rows) and the code. None without a fit key (such
    predictions are never taken from a stored table)."""
    if fit_key is None or pd.isna(fit_key):
        return None
    stamps = (pd.Timestamp(as_of).isoformat(), pd.Timestamp(fit_date).isoformat())
    return _key(b" predictions", settings, *stamps, str(fit_key), purchase_digest)


def reusable_rows(stored: pd.DataFrame | None, as_of: pd.Timestamp, key: str) -> pd.DataFrame | None:
    """The stored fit rows of ``as_of`` when they were computed from the input ``key``; else None."""
    if stored is None or stored.empty or KEY_COLUMN not in stored:
        return None
    rows = stored[(pd.to_datetime(stored["as_of_date"]) == as_of) & (stored[KEY_COLUMN] == key)]
    if rows.empty or (stored["as_of_date"].pipe(pd.to_datetime) == as_of).sum() != len(rows):
        return None  # no row of that date, or some of its rows from another input
    return rows
