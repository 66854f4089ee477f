"""Holdout diagnostics of the repeat-purchase models, and the choice among BG/NBD, MBG/NBD and Pareto/NBD.

Both compare, for the customers known at a calibration end, the repeat purchases the model expected
after it with those the customers actually made up to a holdout end (a purchase: a purchase day,
as in :mod:`salesperf.clv.summary`):

* :func:`calibration_holdout` and :func:`tracking` score the stored fits (fct_clv_model_fits) of
  every refit date before the holdout end (the as-of date): the classic calibration/holdout
  table (mean expected and actual holdout purchases by calibration frequency 0, 1, ..., 6, 7+)
  and the tracking of cumulative repeat purchases month by month. The verdict figure is the
  holdout error |sum expected - sum actual| / sum actual over the holdout.
* :func:`select_models` fits the three models per segment (and pooled) on the purchases up to
  one calibration end (var clv_selection_calibration_end, default the as-of date minus var
  clv_selection_holdout_months) and scores them on the holdout up to the as-of date: calibration
  log-likelihood, holdout error by frequency class sum_k |E_k - A_k| / sum A (k = 0..7+: rewards a
  model that is right for light and heavy buyers, not only in total) and the total error. Per
  segment the converged model with the smallest class error is chosen (BG/NBD on a tie).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

import numpy as np
import pandas as pd

from salesperf.clv import bgnbd, mbgnbd, paretonbd
from salesperf.clv.segments import POOLED, UNKNOWN_SEGMENT, ClvSettings, attach_segments, label_segments, segment_labels
from salesperf.clv.summary import sort_purchases, summarize
from salesperf.clv.timeunits import days_per_unit

log = logging.getLogger(__name__)

TOP_CLASS = 7  # frequency classes 0, 1, ..., 6 and 7+ (7 stands for "7 or more")
MODELS = ("bgnbd", "mbgnbd", "paretonbd")

SELECTION_DTYPES = {
    "calibration_end_date": "datetime64[s]",
    "holdout_end_date": "datetime64[s]",
    "segment": "string",
    "model": "string",
    "n_customers": "int64",
    "n_repeat_buyers": "int64",
    "n_parameters": "int64",
    "calibration_log_likelihood": "float64",
    "converged": "bool",
    "parameters": "string",
    "holdout_expected_purchases": "float64",
    "holdout_actual_purchases": "int64",
    "holdout_error": "float64",
    "holdout_total_error": "float64",
    "is_chosen": "bool",
    "message": "string",
}
CALIBRATION_HOLDOUT_DTYPES = {
    "as_of_date": "datetime64[s]",
    "holdout_end_date": "datetime64[s]",
    "segment": "string",
    "frequency_class": "int64",
    "n_customers": "int64",
    "expected_holdout_purchases": "float64",
    "actual_holdout_purchases": "int64",
    "holdout_error": "float64",
}
TRACKING_DTYPES = {
    "as_of_date": "datetime64[s]",
    "segment": "string",
    "period_end_date": "datetime64[s]",
    "months_after": "int64",
    "n_customers": "int64",
    "expected_cumulative_purchases": "float64",
    "actual_cumulative_purchases": "int64",
}


def _empty(dtypes: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


def frequency_class(frequency) -> np.ndarray:
    """0, 1, ..., 6 and 7 for 7 or more repeat purchases."""
    return np.minimum(np.asarray(frequency, dtype=float), TOP_CLASS).astype(int)


def holdout_counts(purchases: pd.DataFrame, customer_ids, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """Purchase days of each of ``customer_ids`` in (start, end]."""
    dates = pd.to_datetime(purchases["purchase_date"])
    inside = purchases[(dates > start) & (dates <= end)]
    counts = inside.groupby("customer_id").size()
    return pd.Series(customer_ids).map(counts).fillna(0).to_numpy(int)


def _fit(model: str, x, t_x, age, time_unit: str):
    """(parameters, log-likelihood, converged, message) of a cold fit of ``model``."""
    if model == "bgnbd":
        fit = bgnbd.fit_bgnbd(x, t_x, age, time_unit=time_unit)
        return tuple(float(v) for v in fit.params.as_array()), fit.log_likelihood, fit.converged, fit.message
    fitter = mbgnbd.fit_mbgnbd if model == "mbgnbd" else paretonbd.fit_paretonbd
    fit = fitter(x, t_x, age, time_unit=time_unit)
    return fit.params, fit.log_likelihood, fit.converged, fit.message


_NAMES = {"bgnbd": ("r", "alpha", "a", "b"), "mbgnbd": mbgnbd.NAMES, "paretonbd": paretonbd.NAMES}


def expected(model: str, params, t, x, t_x, age) -> np.ndarray:
    """Expected purchases in (T, T + t] under ``model`` with ``params`` (t broadcasts)."""
    if model == "bgnbd":
        return bgnbd.expected_purchases(bgnbd.BGNBDParams(*params), t, x, t_x, age)
    if model == "mbgnbd":
        return mbgnbd.expected_purchases(params, t, x, t_x, age)
    return paretonbd.expected_purchases(params, t, x, t_x, age)


def class_error(frequency, expected_purchases, actual) -> float:
    """sum over the frequency classes 0..7+ of |expected - actual| / total actual (NaN without actual)."""
    classes = frequency_class(frequency)
    e = np.bincount(classes, weights=np.asarray(expected_purchases, dtype=float), minlength=TOP_CLASS + 1)
    a = np.bincount(classes, weights=np.asarray(actual, dtype=float), minlength=TOP_CLASS + 1)
    total = float(a.sum())
    return float(np.abs(e - a).sum() / total) if total > 0 else float("nan")


def _groups(summary: pd.DataFrame, settings: ClvSettings) -> list[tuple[str, pd.DataFrame]]:
    """Pooled, then every known segment large enough for its own fit (the rule of fit_segment)."""
    groups = [(POOLED, summary)]
    for segment, part in summary.groupby("segment", sort=True):
        n_repeat = int((part["frequency"] > 0).sum())
        if (
            segment != UNKNOWN_SEGMENT
            and len(part) >= settings.min_customers_per_segment
            and n_repeat >= settings.min_repeat_buyers
        ):
            groups.append((str(segment), part))
    return groups


def select_models(
    purchases: pd.DataFrame,
    segments: pd.DataFrame | None,
    calibration_end,
    holdout_end,
    settings: ClvSettings,
) -> pd.DataFrame:
    """The model comparison at one calibration/holdout split (see the module docstring)."""
    calibration_end, holdout_end = pd.Timestamp(calibration_end), pd.Timestamp(holdout_end)
    if not calibration_end < holdout_end:
        raise ValueError(
            f"calibration end {calibration_end.date()} must be before the holdout end {holdout_end.date()}"
        )
    summary = attach_segments(summarize(purchases, calibration_end, time_unit=settings.time_unit), segments)
    if summary.empty:
        log.info("CLV model selection: no purchase up to %s", calibration_end.date())
        return _empty(SELECTION_DTYPES)
    t = (holdout_end - calibration_end).days / days_per_unit(settings.time_unit)
    rows = []
    for segment, part in _groups(summary, settings):
        x, t_x, age = (part[c].to_numpy(float) for c in ("frequency", "recency", "age"))
        actual = holdout_counts(purchases, part["customer_id"], calibration_end, holdout_end)
        n_repeat = int((x > 0).sum())
        for model in MODELS:
            row = {
                "calibration_end_date": calibration_end,
                "holdout_end_date": holdout_end,
                "segment": segment,
                "model": model,
                "n_customers": len(part),
                "n_repeat_buyers": n_repeat,
                "n_parameters": 4,
                "holdout_actual_purchases": int(actual.sum()),
            }
            if n_repeat == 0 or len(part) < 2:
                rows.append({**row, "converged": False, "message": "no repeat buyers: not identified"})
                continue
            params, ll, converged, message = _fit(model, x, t_x, age, settings.time_unit)
            e = expected(model, params, t, x, t_x, age)
            total = float(actual.sum())
            rows.append(
                {
                    **row,
                    "calibration_log_likelihood": ll,
                    "converged": converged,
                    "parameters": json.dumps(dict(zip(_NAMES[model], (round(p, 10) for p in params), strict=True))),
                    "holdout_expected_purchases": float(e.sum()),
                    "holdout_error": class_error(x, e, actual),
                    "holdout_total_error": float(e.sum()) / total - 1.0 if total > 0 else float("nan"),
                    "message": message,
                }
            )
    frame = pd.DataFrame(rows, columns=list(SELECTION_DTYPES))
    frame["is_chosen"] = False
    for _, part in frame.groupby("segment", sort=False):
        usable = part[part["converged"].astype(bool) & part["holdout_error"].notna()]
        if not usable.empty:
            # the smallest class error; MODELS' order (BG/NBD first) breaks a tie
            frame.loc[usable["holdout_error"].astype(float).idxmin(), "is_chosen"] = True
    return frame.astype(SELECTION_DTYPES)


def _fit_groups(summary: pd.DataFrame, fits_at_date: pd.DataFrame) -> Iterable[tuple[str, pd.DataFrame, tuple]]:
    """(segment, its customers, BG/NBD parameters) for each stored fit with parameters."""
    for row in fits_at_date.to_dict("records"):
        if row["r"] is None or pd.isna(row["r"]):
            continue
        segment = str(row["segment"])
        part = summary if segment == POOLED else summary[summary["segment"] == segment]
        if not part.empty:
            yield segment, part, tuple(float(row[k]) for k in ("r", "alpha", "a", "b"))


def _month_ends_after(start: pd.Timestamp, end: pd.Timestamp) -> list[pd.Timestamp]:
    """The month ends in (start, end], and end itself when it is not a month end."""
    points = list(pd.date_range(start + pd.Timedelta(days=1), end, freq="ME"))
    if not points or points[-1] != end:
        points.append(end)
    return points


def diagnostics(
    purchases: pd.DataFrame,
    segments: pd.DataFrame | None,
    fits: pd.DataFrame,
    holdout_end,
    settings: ClvSettings,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(calibration/holdout table, tracking) of every stored fit before ``holdout_end``."""
    holdout_end = pd.Timestamp(holdout_end)
    purchases = sort_purchases(purchases)
    purchase_days = pd.to_datetime(purchases["purchase_date"]).to_numpy()
    purchase_codes = purchases["customer_code"].to_numpy()  # the customer's code, -1 without an id
    unit = days_per_unit(settings.time_unit)
    fit_dates = pd.to_datetime(fits["as_of_date"])
    labels = segment_labels(purchases, segments)
    segment_of_code = labels.to_numpy(dtype=object)
    table_rows: list[dict] = []
    tracking_rows: list[dict] = []
    for as_of in sorted(d for d in fit_dates.unique() if pd.Timestamp(d) < holdout_end):
        as_of = pd.Timestamp(as_of)
        summary = summarize(purchases, as_of, time_unit=settings.time_unit, presorted=True, with_codes=True)
        if summary.empty:
            continue
        codes = summary["customer_code"].to_numpy()
        summary = label_segments(summary, labels).assign(customer_code=codes)
        points = _month_ends_after(as_of, holdout_end)
        horizons = np.array([(p - as_of).days / unit for p in points])
        # the holdout purchases of the customers known at the refit date, once per date, by the
        # customers' integer codes (no lookup of id strings): each segment takes its customers' rows
        # by their segment
        known = np.zeros(len(segment_of_code), dtype=bool)
        known[codes] = True
        inside = (purchase_days > as_of.to_datetime64()) & (purchase_days <= holdout_end.to_datetime64())
        window_codes = purchase_codes[inside]
        window_days = purchase_days[inside]
        of_known = known[np.maximum(window_codes, 0)] & (window_codes >= 0)
        window_codes, window_days = window_codes[of_known], window_days[of_known]
        window_segment = segment_of_code[window_codes]
        window_counts = np.bincount(window_codes, minlength=len(segment_of_code))
        for segment, part, params in _fit_groups(summary, fits[fit_dates == as_of]):
            x, t_x, age = (part[c].to_numpy(float) for c in ("frequency", "recency", "age"))
            cumulative = expected("bgnbd", params, horizons[:, None], x[None, :], t_x[None, :], age[None, :])
            a = window_counts[part["customer_code"].to_numpy()]
            later_days = np.sort(window_days if segment == POOLED else window_days[window_segment == segment])
            actual_by_point = np.searchsorted(later_days, np.array(points, dtype="datetime64[ns]"), side="right")
            e = cumulative[-1]
            total = float(a.sum())
            error = abs(float(e.sum()) - total) / total if total > 0 else float("nan")
            classes = frequency_class(x)
            for k in range(TOP_CLASS + 1):
                sel = classes == k
                table_rows.append(
                    {
                        "as_of_date": as_of,
                        "holdout_end_date": holdout_end,
                        "segment": segment,
                        "frequency_class": k,
                        "n_customers": int(sel.sum()),
                        "expected_holdout_purchases": float(e[sel].sum()),
                        "actual_holdout_purchases": int(a[sel].sum()),
                        "holdout_error": error,
                    }
                )
            for m, (point, exp_row, act) in enumerate(zip(points, cumulative, actual_by_point, strict=True), start=1):
                tracking_rows.append(
                    {
                        "as_of_date": as_of,
                        "segment": segment,
                        "period_end_date": point,
                        "months_after": m,
                        "n_customers": len(part),
                        "expected_cumulative_purchases": float(exp_row.sum()),
                        "actual_cumulative_purchases": int(act),
                    }
                )
    table = pd.DataFrame(table_rows, columns=list(CALIBRATION_HOLDOUT_DTYPES)) if table_rows else None
    track = pd.DataFrame(tracking_rows, columns=list(TRACKING_DTYPES)) if tracking_rows else None
    return (
        _empty(CALIBRATION_HOLDOUT_DTYPES) if table is None else table.astype(CALIBRATION_HOLDOUT_DTYPES),
        _empty(TRACKING_DTYPES) if track is None else track.astype(TRACKING_DTYPES),
    )


def default_calibration_end(as_of, holdout_months: int, explicit: str | None = None) -> pd.Timestamp:
    """The selection's calibration end: ``explicit`` (a date) when given, else as_of - holdout_months."""
    if explicit not in (None, "", "none", "None"):
        return pd.Timestamp(explicit)
    if holdout_months < 1:
        raise ValueError("clv_selection_holdout_months must be >= 1")
    return pd.Timestamp(as_of) - pd.DateOffset(months=int(holdout_months))


DIAGNOSTICS_DTYPES = {
    "diagnostic": "string",  # 'calibration_holdout' or 'tracking'
    "as_of_date": "datetime64[s]",
    "holdout_end_date": "datetime64[s]",
    "segment": "string",
    "frequency_class": "Int64",  # calibration_holdout rows
    "period_end_date": "datetime64[s]",  # tracking rows
    "months_after": "Int64",  # tracking rows
    "n_customers": "int64",
    "expected_purchases": "float64",
    "actual_purchases": "int64",
    "holdout_error": "float64",  # calibration_holdout rows
}


def combine_diagnostics(table: pd.DataFrame, tracking: pd.DataFrame, holdout_end) -> pd.DataFrame:
    """The two tables of :func:`diagnostics` as one long table (column ``diagnostic`` tells them apart),
    the output of the one dbt Python model that computes both (int_clv__diagnostics)."""
    ch = table.rename(
        columns={"expected_holdout_purchases": "expected_purchases", "actual_holdout_purchases": "actual_purchases"}
    ).assign(diagnostic="calibration_holdout")
    tr = tracking.rename(
        columns={
            "expected_cumulative_purchases": "expected_purchases",
            "actual_cumulative_purchases": "actual_purchases",
        }
    ).assign(diagnostic="tracking", holdout_end_date=pd.Timestamp(holdout_end))
    frame = pd.concat([ch, tr], ignore_index=True) if len(ch) or len(tr) else _empty(DIAGNOSTICS_DTYPES)
    for column in DIAGNOSTICS_DTYPES:
        if column not in frame:
            frame[column] = None
    return frame[list(DIAGNOSTICS_DTYPES)].astype(DIAGNOSTICS_DTYPES)


def diagnostics_model(session, meta, order_lines, customers, fits, snapshot_dates):
    """The body of the dbt Python model ``int_clv__diagnostics``: :func:`diagnostics` once at the as-of
    date on the warehouse's purchases and stored fits, both tables in one (:func:`combine_diagnostics`);
    int_clv__calibration_holdout and int_clv__tracking select their rows. The model keeps its
    ``dbt.ref`` and ``dbt.config.get`` calls: dbt reads them from the model file to order the build."""
    from salesperf.clv import settings_from_vars
    from salesperf.clv.dbt_inputs import purchases_and_segments

    settings = settings_from_vars(meta)
    purchases, segments = purchases_and_segments(order_lines, customers)
    fits = fits.df()
    dates = snapshot_dates.filter("is_as_of_date").project("snapshot_date").df()
    frame = _empty(DIAGNOSTICS_DTYPES)
    if not dates.empty and not fits.empty:
        holdout_end = pd.Timestamp(dates["snapshot_date"].iloc[0])
        frame = combine_diagnostics(*diagnostics(purchases, segments, fits, holdout_end, settings), holdout_end)
    return session.from_df(frame).project(
        ", ".join(f"cast({c} as date) as {c}" if c.endswith("_date") else c for c in DIAGNOSTICS_DTYPES)
    )
