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
    and predictions) is computed from exactly these rows and labels: each row is hashed as (day, the
    customer id's hash, its segment's hash, spend, gross profit and net sales with cost), in order of
    day and then customer id (the order of the codes), and the digests of all dates come from one
    running hash over the rows sorted by day. Equal values give equal digests whatever their types
    (ids as object or Arrow strings, days in any resolution)."""
    codes = purchases["customer_code"].to_numpy()
    days = pd.to_datetime(purchases["purchase_date"]).to_numpy().astype("datetime64[ns]").view(np.int64)
    keep = (codes >= 0) & (days != np.iinfo(np.int64).min)  # rows without a customer or a day never count
    id_hash = pd.util.hash_pandas_object(customer_ids_by_code(purchases), index=False).to_numpy()
    label_hash = pd.util.hash_pandas_object(pd.Series(labels.array), index=False).to_numpy()
    codes, days = codes[keep], days[keep]
    order = np.argsort(days, kind="stable")  # by day, then by customer code (= id order) as the rows come
    rows = np.empty((order.size, 6), dtype=np.uint64)
    rows[:, 0] = days[order].view(np.uint64)
    rows[:, 1] = id_hash[codes[order]]
    rows[:, 2] = label_hash[codes[order]] if label_hash.size else 0
    for k, column in enumerate(_VALUE_COLUMNS, start=3):
        rows[:, k] = purchases[column].to_numpy(dtype=np.float64)[keep][order].view(np.uint64)
    h = hashlib.blake2b(digest_size=16)
    h.update(b"purchases v1")
    out: dict[pd.Timestamp, str] = {}
    done = 0
    sorted_days = rows[:, 0].view(np.int64)
    for day in sorted(pd.Timestamp(d) for d in dates):
        upto = int(np.searchsorted(sorted_days, day.value, side="right"))
        if upto > done:
            h.update(np.ascontiguousarray(rows[done:upto]).tobytes())
            done = upto
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
