"""Per-segment BG/NBD + Gamma-Gamma fits with fallbacks, predictions and snapshots over time.

Each customer segment (B2B, B2C, ...) gets its own fit when it is large enough; otherwise, or
when its fit fails, it uses the fit on all customers ("pooled"). The fallbacks never crash and
never produce NaN from bad input; each one is logged and written to the fit's ``message``:

* Customers without a known segment ('unknown': account missing or soft-deleted) always use the
  pooled fit.
* BG/NBD: own fit (``segment_fit``) when the segment has >= ``min_customers_per_segment``
  customers and >= ``min_repeat_buyers`` repeat buyers and the fit converges; else the pooled fit
  (``pooled_fit``) when it converges; else (no repeat buyer at all, a single customer, ...) the
  naive rate (``naive_rate``): P(alive) = 1 and the pooled repeat-purchase rate
  sum(x) / sum(T) per time unit (0 when nobody bought twice).
* Gamma-Gamma: own fit with >= ``min_repeat_buyers`` repeat buyers; else the pooled fit; else
  (no repeat buyers) the segment's mean spend per purchase (``segment_mean_spend``).
* Margin rate: the customer's own; else its segment's; else the company's; else unknown (NULL
  CLV: a missing cost is never read as 0).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from salesperf.clv.bgnbd import BGNBDFit, BGNBDParams, fit_bgnbd, probability_alive
from salesperf.clv.choice import RepeatModel, check_choice, fit_repeat_model, model_from_json, ranked_at
from salesperf.clv.gamma_gamma import GammaGammaFit, GammaGammaParams, conditional_expected_spend, fit_gamma_gamma
from salesperf.clv.intervals import customer_intervals, z_value
from salesperf.clv.optim import covariance_from_json, covariance_to_json, single_threaded_blas, starts_to_json
from salesperf.clv.reuse import (
    KEY_COLUMN,
    PREDICTION_KEY_COLUMN,
    fit_input_key,
    prediction_input_key,
    purchase_digests,
    reusable_rows,
)
from salesperf.clv.summary import customer_ids_by_code, sort_purchases, summarize
from salesperf.clv.timeunits import days_per_unit, months_to_units
from salesperf.clv.value import discount_factors, discounted_purchases_and_total

log = logging.getLogger(__name__)

POOLED = "pooled"
UNKNOWN_SEGMENT = "unknown"


@dataclass(frozen=True)
class ClvSettings:
    """Knobs of the CLV model (the dbt vars clv_*). ``time_unit`` has no default on purpose."""

    time_unit: str
    horizon_months: int = 36
    monthly_discount_rate: float = 0.01
    min_customers_per_segment: int = 100
    min_repeat_buyers: int = 20
    interval_level: float = 0.9  # of the per-customer intervals of clv_predicted and p_alive
    model: str = "auto"  # var clv_model: auto (the selection's choice) | bgnbd | mbgnbd | paretonbd

    def __post_init__(self) -> None:
        days_per_unit(self.time_unit)
        check_choice(self.model)
        z_value(self.interval_level)
        if self.horizon_months < 1:
            raise ValueError("horizon_months must be >= 1")
        if self.monthly_discount_rate <= -1:
            raise ValueError("monthly_discount_rate must be > -1")
        if self.min_customers_per_segment < 1 or self.min_repeat_buyers < 1:
            raise ValueError("minimum counts must be >= 1")


@dataclass(frozen=True)
class SegmentModel:
    """The parameters a segment's customers are predicted with, and where they come from."""

    segment: str
    n_customers: int
    n_repeat_buyers: int
    bgnbd_source: str  # segment_fit | pooled_fit | naive_rate
    bgnbd: BGNBDParams | None
    bgnbd_log_likelihood: float | None
    bgnbd_converged: bool
    naive_rate: float | None  # repeat purchases per time unit, for naive_rate
    gg_source: str  # segment_fit | pooled_fit | segment_mean_spend
    gg: GammaGammaParams | None
    gg_log_likelihood: float | None
    gg_n_customers: int
    gg_converged: bool
    mean_spend: float  # mean spend per purchase of the segment (all purchases)
    margin_rate: float | None  # the segment's gross margin rate over costed lines
    messages: tuple[str, ...] = field(default_factory=tuple)
    bgnbd_starts_tried: int = 0  # starts of the BG/NBD fit used (0 without one)
    bgnbd_start_log_likelihoods: str | None = None  # JSON: each start and the log-likelihood it reached
    gg_starts_tried: int = 0
    gg_start_log_likelihoods: str | None = None
    bgnbd_std_errors: BGNBDParams | None = None  # standard errors of r, alpha, a, b (None on a ridge)
    gg_std_errors: GammaGammaParams | None = None  # standard errors of p, q, gamma
    bgnbd_covariance: tuple[tuple[float, ...], ...] | None = None  # of r, alpha, a, b (None on a ridge)
    gg_covariance: tuple[tuple[float, ...], ...] | None = None  # of p, q, gamma
    # the repeat-purchase model the predictions use (salesperf.clv.choice): bgnbd, mbgnbd, paretonbd
    # or naive_rate, why, and its parameters (BG/NBD's when bgnbd), covariance and log-likelihood
    clv_model: str = "bgnbd"
    clv_model_reason: str = ""
    clv_params: tuple[float, ...] | None = None
    clv_covariance: tuple[tuple[float, ...], ...] | None = None
    clv_log_likelihood: float | None = None

    def repeat_model(self) -> RepeatModel | None:
        """The model the predictions use; None for the naive rate (no BG/NBD fit)."""
        if self.bgnbd is None:
            return None
        if self.clv_model in ("mbgnbd", "paretonbd") and self.clv_params is not None:
            return RepeatModel(self.clv_model, tuple(self.clv_params))
        return RepeatModel("bgnbd", tuple(float(v) for v in self.bgnbd.as_array()))

    @property
    def population_mean_spend(self) -> float:
        """Expected spend per purchase of a customer without repeat history."""
        if self.gg is not None and self.gg.q > 1.0:
            return self.gg.population_mean
        return self.mean_spend


def _note(messages: list[str], segment: str, text: str, level: int = logging.WARNING) -> None:
    messages.append(text)
    log.log(level, "CLV segment %s: %s", segment, text)


def _margin_rate(summary: pd.DataFrame) -> float | None:
    ns = float(summary["net_sales_with_cost"].sum())
    return float(summary["gross_profit_with_cost"].sum()) / ns if ns > 0 else None


def _summary_fields(summary: pd.DataFrame, messages: list[str]) -> dict:
    """The fields of a SegmentModel that come from its customers' summary and its messages alone."""
    return {
        "n_customers": len(summary),
        "n_repeat_buyers": int((summary["frequency"].to_numpy(float) > 0).sum()),
        "mean_spend": float(summary["total_spend"].sum()) / max(float(summary["n_purchases"].sum()), 1.0),
        "margin_rate": _margin_rate(summary),
        "messages": tuple(messages) or ("ok",),
    }


def _fit_bgnbd_noted(
    summary: pd.DataFrame,
    settings: ClvSettings,
    previous: SegmentModel | None,
    source: str,
    messages: list[str],
    segment: str,
    fallback: str,
) -> BGNBDFit:
    """The BG/NBD fit of ``summary`` (warm-started from ``previous`` when that came from ``source``),
    its message noted; a fit that did not converge is noted with the ``fallback`` used instead."""
    warm = previous.bgnbd if previous is not None and previous.bgnbd_source == source else None
    fit = fit_bgnbd(
        summary["frequency"].to_numpy(float),
        summary["recency"],
        summary["age"],
        time_unit=settings.time_unit,
        initial=warm,
    )
    if not fit.converged:
        _note(messages, segment, f"BG/NBD fit did not converge ({fit.message}): {fallback} used")
    elif fit.message != "ok":
        _note(messages, segment, f"BG/NBD: {fit.message}", logging.INFO)
    return fit


def _fit_gamma_gamma_noted(
    repeat: pd.DataFrame,
    previous: SegmentModel | None,
    source: str,
    messages: list[str],
    segment: str,
    fallback: str,
) -> GammaGammaFit:
    """The Gamma-Gamma fit of the repeat buyers ``repeat`` (warm-started from ``previous`` when that
    came from ``source``); a fit that did not converge is noted with the ``fallback`` used instead."""
    warm = previous.gg if previous is not None and previous.gg_source == source else None
    gg = fit_gamma_gamma(repeat["frequency"], repeat["monetary"], initial=warm)
    if not gg.converged:
        _note(messages, segment, f"Gamma-Gamma fit did not converge ({gg.message}): {fallback} used")
    return gg


def fit_pooled(summary: pd.DataFrame, settings: ClvSettings, previous: SegmentModel | None) -> SegmentModel:
    """The fit on all customers of ``summary``, with the naive-rate and mean-spend fallbacks."""
    messages: list[str] = []
    x = summary["frequency"].to_numpy(float)
    n = len(summary)
    n_repeat = int((x > 0).sum())
    bg_params, bg_ll, bg_ok, naive, bg_starts, bg_se, bg_cov = None, None, False, None, (), None, None
    if n_repeat >= 1 and n >= 2:
        fit = _fit_bgnbd_noted(summary, settings, previous, "pooled_fit", messages, POOLED, "naive repeat rate")
        if fit.converged:
            bg_params, bg_ll, bg_ok, bg_starts = fit.params, fit.log_likelihood, True, fit.starts
            bg_se, bg_cov = fit.std_errors, fit.covariance
    else:
        _note(
            messages,
            POOLED,
            f"BG/NBD needs repeat buyers ({n} customers, {n_repeat} repeat buyers): naive repeat rate used",
        )
    if bg_params is None:
        total_age = float(summary["age"].sum())
        naive = float(x.sum()) / total_age if total_age > 0 else 0.0
    gg_params, gg_ll, gg_ok, gg_n, gg_starts, gg_se, gg_cov = None, None, False, 0, (), None, None
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary"] > 0)]
    if len(repeat) >= 2:
        gg = _fit_gamma_gamma_noted(repeat, previous, "pooled_fit", messages, POOLED, "mean spend")
        gg_n = gg.n_customers
        if gg.converged:
            gg_params, gg_ll, gg_ok, gg_starts, gg_se = gg.params, gg.log_likelihood, True, gg.starts, gg.std_errors
            gg_cov = gg.covariance
    else:
        _note(messages, POOLED, f"Gamma-Gamma needs repeat buyers ({len(repeat)}): mean spend per purchase used")
    return SegmentModel(
        segment=POOLED,
        **_summary_fields(summary, messages),
        bgnbd_source="pooled_fit" if bg_params is not None else "naive_rate",
        bgnbd=bg_params,
        bgnbd_log_likelihood=bg_ll,
        bgnbd_converged=bg_ok,
        naive_rate=naive,
        gg_source="pooled_fit" if gg_params is not None else "segment_mean_spend",
        gg=gg_params,
        gg_log_likelihood=gg_ll,
        gg_n_customers=gg_n,
        gg_converged=gg_ok,
        bgnbd_starts_tried=len(bg_starts),
        bgnbd_start_log_likelihoods=starts_to_json(bg_starts),
        gg_starts_tried=len(gg_starts),
        gg_start_log_likelihoods=starts_to_json(gg_starts),
        bgnbd_std_errors=bg_se,
        gg_std_errors=gg_se,
        bgnbd_covariance=bg_cov,
        gg_covariance=gg_cov,
    )


def fit_segment(
    segment: str,
    summary: pd.DataFrame,
    pooled: SegmentModel | Future,
    settings: ClvSettings,
    previous: SegmentModel | None,
) -> SegmentModel:
    """One segment's fit, falling back to ``pooled`` when it is too small or its fit fails.

    ``pooled`` may be a Future of the pooled fit: the segment's own fits do not need it, so they
    run while it is computed (:func:`fit_models`); it is awaited for the fallbacks only."""
    messages: list[str] = []
    x = summary["frequency"].to_numpy(float)
    n = len(summary)
    n_repeat = int((x > 0).sum())
    bg_source, bg_params, bg_ll, bg_ok, bg_starts = None, None, None, False, None
    own_fit = segment != UNKNOWN_SEGMENT  # customers without a known segment are a mix: pooled fit
    if not own_fit:
        _note(messages, segment, "customers without a known segment: pooled fit used", logging.INFO)
    elif n >= settings.min_customers_per_segment and n_repeat >= settings.min_repeat_buyers:
        fit = _fit_bgnbd_noted(summary, settings, previous, "segment_fit", messages, segment, "pooled fit")
        if fit.converged:
            bg_source, bg_params, bg_ll, bg_ok = "segment_fit", fit.params, fit.log_likelihood, True
            bg_starts = (len(fit.starts), starts_to_json(fit.starts), fit.std_errors, fit.covariance)
    else:
        _note(
            messages,
            segment,
            f"too small for its own BG/NBD fit ({n} customers < "
            f"{settings.min_customers_per_segment} or {n_repeat} repeat buyers < "
            f"{settings.min_repeat_buyers}): pooled fit used",
            logging.INFO,
        )
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary"] > 0)]
    gg_source, gg_params, gg_ll, gg_ok, gg_n, gg_starts = None, None, None, False, 0, (0, None, None, None)
    if own_fit and len(repeat) >= settings.min_repeat_buyers:
        gg = _fit_gamma_gamma_noted(repeat, previous, "segment_fit", messages, segment, "pooled fit")
        if gg.converged:
            gg_source, gg_params, gg_ll, gg_ok, gg_n = "segment_fit", gg.params, gg.log_likelihood, True, gg.n_customers
            gg_starts = (len(gg.starts), starts_to_json(gg.starts), gg.std_errors, gg.covariance)
    elif own_fit:
        _note(
            messages,
            segment,
            f"{len(repeat)} repeat buyers < {settings.min_repeat_buyers} for its own Gamma-Gamma fit: pooled fit used",
            logging.INFO,
        )
    # the segment's own fits are done: from here on the pooled fit (maybe still running) is needed
    pooled = pooled.result() if isinstance(pooled, Future) else pooled
    if bg_source is None:
        bg_source, bg_params, bg_ll, bg_ok = (
            pooled.bgnbd_source,
            pooled.bgnbd,
            pooled.bgnbd_log_likelihood,
            pooled.bgnbd_converged,
        )
        bg_starts = (
            pooled.bgnbd_starts_tried,
            pooled.bgnbd_start_log_likelihoods,
            pooled.bgnbd_std_errors,
            pooled.bgnbd_covariance,
        )
    if gg_source is None:
        if pooled.gg is not None:
            gg_source, gg_params, gg_ll, gg_ok, gg_n = (
                "pooled_fit",
                pooled.gg,
                pooled.gg_log_likelihood,
                pooled.gg_converged,
                pooled.gg_n_customers,
            )
            gg_starts = (
                pooled.gg_starts_tried,
                pooled.gg_start_log_likelihoods,
                pooled.gg_std_errors,
                pooled.gg_covariance,
            )
        else:
            gg_source = "segment_mean_spend"
            _note(messages, segment, "no Gamma-Gamma fit available: the segment's mean spend per purchase used")
    return SegmentModel(
        segment=segment,
        **_summary_fields(summary, messages),
        bgnbd_source=bg_source,
        bgnbd=bg_params,
        bgnbd_log_likelihood=bg_ll,
        bgnbd_converged=bg_ok,
        naive_rate=pooled.naive_rate if bg_params is None else None,
        gg_source=gg_source,
        gg=gg_params,
        gg_log_likelihood=gg_ll,
        gg_n_customers=gg_n,
        gg_converged=gg_ok,
        bgnbd_starts_tried=bg_starts[0],
        bgnbd_start_log_likelihoods=bg_starts[1],
        gg_starts_tried=gg_starts[0],
        gg_start_log_likelihoods=gg_starts[1],
        bgnbd_std_errors=bg_starts[2],
        gg_std_errors=gg_starts[2],
        bgnbd_covariance=bg_starts[3],
        gg_covariance=gg_starts[3],
    )


def attach_segments(summary: pd.DataFrame, segments: pd.DataFrame | None) -> pd.DataFrame:
    """Adds column ``segment`` (from segments[customer_id, segment]); unknown -> 'unknown'."""
    out = summary.copy()
    if segments is None or segments.empty:
        out["segment"] = UNKNOWN_SEGMENT
        return out
    seg = segments.drop_duplicates("customer_id").set_index("customer_id")["segment"]
    out["segment"] = out["customer_id"].map(seg).fillna(UNKNOWN_SEGMENT).astype(str)
    out.loc[out["segment"].str.strip() == "", "segment"] = UNKNOWN_SEGMENT
    return out


def segment_labels(purchases: pd.DataFrame, segments: pd.DataFrame | None) -> pd.Series:
    """:func:`attach_segments`' segment of every customer of ``purchases`` (from
    :func:`~salesperf.clv.summary.sort_purchases`), by ``customer_code``: looked up once for the
    history, then taken per snapshot date by :func:`label_segments` (mapping a million id strings
    at every date cost more than a refit's summary)."""
    return attach_segments(customer_ids_by_code(purchases).to_frame(), segments)["segment"]


def label_segments(summary: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    """``summary`` (from ``summarize(..., with_codes=True)``) with its ``customer_code`` replaced by column
    ``segment`` from :func:`segment_labels`: the frame :func:`attach_segments` gives."""
    codes = summary["customer_code"].to_numpy()
    out = summary.drop(columns=["customer_code"])
    out["segment"] = labels.array.take(codes)
    return out


def fit_models(
    summary: pd.DataFrame, settings: ClvSettings, previous: dict[str, SegmentModel] | None = None
) -> dict[str, SegmentModel]:
    """Fit the pooled model and one per segment of ``summary`` (which has a ``segment`` column).

    ``previous`` (the models of the previous snapshot) only gives warm starts: each fit keeps
    the best optimum of the warm and the cold starts."""
    if summary.empty:
        raise ValueError("no customer with a purchase: nothing to fit")
    previous = previous or {}
    # the pooled fit on a thread of its own while the segments' own fits run here (each fit computes
    # what it computed alone: the same values; numpy and scipy release the GIL in the costly parts)
    with single_threaded_blas(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="clv-pooled") as pool:
        pooled = pool.submit(fit_pooled, summary, settings, previous.get(POOLED))
        segments = {
            str(segment): fit_segment(str(segment), part, pooled, settings, previous.get(str(segment)))
            for segment, part in summary.groupby("segment", sort=True)
        }
        return {POOLED: pooled.result(), **segments}


def _margin_for(summary: pd.DataFrame, models: dict[str, SegmentModel]) -> tuple[np.ndarray, np.ndarray]:
    own = summary["margin_rate"].to_numpy(float)
    # per distinct segment, then spread by the rows' codes (a map of every row's label is slow)
    codes, labels = pd.factorize(summary["segment"], use_na_sentinel=False)
    rates = {k: (m.margin_rate if m.margin_rate is not None else np.nan) for k, m in models.items()}
    seg_rate = np.array([rates.get(label, np.nan) for label in labels], dtype=float)[codes]
    company = models[POOLED].margin_rate
    company = np.nan if company is None else company
    rate = np.where(np.isfinite(own), own, np.where(np.isfinite(seg_rate), seg_rate, company))
    source = np.where(
        np.isfinite(own),
        "customer",
        np.where(np.isfinite(seg_rate), "segment", np.where(np.isfinite(company), "company", None)),
    )
    return rate, source


def predict(summary: pd.DataFrame, models: dict[str, SegmentModel], settings: ClvSettings) -> pd.DataFrame:
    """Per-customer predictions: p_alive, expected purchases over the horizon, expected spend and
    margin per purchase, discounted CLV (``clv_predicted``). ``summary`` has a ``segment`` column."""
    out = summary.copy()
    n = len(out)
    p_alive = np.ones(n)
    expected = np.zeros(n)
    clv = np.full(n, np.nan)
    spend = np.full(n, np.nan)
    bounds = {k: np.full(n, np.nan) for k in ("clv_low", "clv_high", "p_alive_low", "p_alive_high")}
    margin_rate, margin_source = _margin_for(out, models)
    columns = {c: out[c].to_numpy(float) for c in ("frequency", "recency", "age", "monetary")}  # read by the threads

    def one_segment(segment, idx: np.ndarray) -> None:
        model = models.get(str(segment), models[POOLED])
        x = columns["frequency"][idx]
        pop_mean = model.population_mean_spend
        if model.gg is not None:
            s = conditional_expected_spend(model.gg, x, columns["monetary"][idx], population_mean=pop_mean)
        else:
            s = np.full(idx.size, pop_mean)
        spend[idx] = s
        margin = s * margin_rate[idx]
        if model.bgnbd is not None:
            args = (x, columns["recency"][idx], columns["age"][idx])
            repeat = model.repeat_model()
            alternative = repeat.name != "bgnbd"
            # BG/NBD through its own parameter type (the code path of the stored BG/NBD figures)
            params = repeat if alternative else model.bgnbd
            covariance = model.clv_covariance if alternative else model.bgnbd_covariance
            p_alive[idx] = repeat.p_alive(*args) if alternative else probability_alive(model.bgnbd, *args)
            total, discounted = discounted_purchases_and_total(
                params,
                *args,
                time_unit=settings.time_unit,
                horizon_months=settings.horizon_months,
                monthly_discount_rate=settings.monthly_discount_rate,
            )
            value = discounted * np.asarray(margin, dtype=float)  # discounted_clv's value, D kept for the intervals
            expected[idx] = total
            clv[idx] = value
            m = columns["monetary"][idx]
            own_spend = (x >= 1) & np.isfinite(m) & (m >= 0)
            from_model = model.gg is not None and model.population_mean_spend == model.gg.population_mean
            intervals = customer_intervals(
                params,
                covariance,
                model.gg,
                model.gg_covariance,
                *args,
                m,
                value,
                p_alive[idx],
                spend_from_model=own_spend | from_model,
                time_unit=settings.time_unit,
                horizon_months=settings.horizon_months,
                monthly_discount_rate=settings.monthly_discount_rate,
                level=settings.interval_level,
                discounted=discounted,
            )
            for key, values in intervals.items():
                bounds[key][idx] = values
        else:
            per_month = (model.naive_rate or 0.0) * months_to_units(1.0, settings.time_unit)
            factors = discount_factors(settings.horizon_months, settings.monthly_discount_rate)
            expected[idx] = per_month * settings.horizon_months
            clv[idx] = per_month * factors.sum() * margin

    # the segments on two threads (disjoint rows of the result arrays; numpy and scipy release the GIL)
    groups = out.groupby("segment", sort=False).indices.items()
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="clv-predict") as pool:
        for _ in pool.map(lambda item: one_segment(*item), groups):  # re-raises a segment's error
            pass
    out["p_alive"] = p_alive
    out["expected_purchases"] = expected
    out["expected_spend_per_purchase"] = spend
    out["margin_rate_used"] = margin_rate
    out["margin_rate_source"] = margin_source
    out["expected_margin_per_purchase"] = spend * margin_rate
    out["clv_predicted"] = clv
    out["clv_predicted_low"] = bounds["clv_low"]
    out["clv_predicted_high"] = bounds["clv_high"]
    out["p_alive_low"] = bounds["p_alive_low"]
    out["p_alive_high"] = bounds["p_alive_high"]
    names = {seg: models.get(str(seg), models[POOLED]).clv_model for seg in out["segment"].unique()}
    out["clv_model"] = out["segment"].map(names)
    return out


FIT_DTYPES: dict[str, str] = {
    "as_of_date": "datetime64[s]",
    "segment": "string",
    "time_unit": "string",
    "horizon_months": "int64",
    "monthly_discount_rate": "float64",
    "n_customers": "int64",
    "n_repeat_buyers": "int64",
    "bgnbd_source": "string",
    "r": "float64",
    "alpha": "float64",
    "a": "float64",
    "b": "float64",
    "r_se": "float64",
    "alpha_se": "float64",
    "a_se": "float64",
    "b_se": "float64",
    "bgnbd_log_likelihood": "float64",
    "bgnbd_converged": "bool",
    "bgnbd_starts_tried": "int64",
    "bgnbd_start_log_likelihoods": "string",
    "bgnbd_covariance": "string",
    "naive_repeat_rate": "float64",
    "gamma_gamma_source": "string",
    "p": "float64",
    "q": "float64",
    "gamma": "float64",
    "p_se": "float64",
    "q_se": "float64",
    "gamma_se": "float64",
    "gamma_gamma_log_likelihood": "float64",
    "gamma_gamma_n_customers": "int64",
    "gamma_gamma_converged": "bool",
    "gamma_gamma_starts_tried": "int64",
    "gamma_gamma_start_log_likelihoods": "string",
    "gamma_gamma_covariance": "string",
    "mean_spend_per_purchase": "float64",
    "margin_rate": "float64",
    "message": "string",
    "clv_model": "string",
    "clv_model_reason": "string",
    "clv_model_parameters": "string",
    "clv_model_log_likelihood": "float64",
    "clv_model_covariance": "string",
}
FIT_COLUMNS = list(FIT_DTYPES)


def settings_from_vars(values: dict) -> ClvSettings:
    """ClvSettings from the dbt vars clv_* (a dbt model's config meta)."""
    return ClvSettings(
        time_unit=str(values["clv_time_unit"]),
        horizon_months=int(values["clv_horizon_months"]),
        monthly_discount_rate=float(values["clv_monthly_discount_rate"]),
        min_customers_per_segment=int(values["clv_min_customers_per_segment"]),
        min_repeat_buyers=int(values["clv_min_repeat_buyers"]),
        interval_level=float(values.get("clv_interval_level", 0.9)),
        model=check_choice(values.get("clv_model", "auto")),
    )


def _se(std_errors, params: dict) -> list[tuple[str, float | None]]:
    """(name, standard error) for each parameter name of ``params``; None without standard errors."""
    values = std_errors.as_dict() if std_errors is not None else {}
    return [(k, values.get(k)) for k in params]


def models_to_frame(models: dict[str, SegmentModel], as_of: date | pd.Timestamp, settings: ClvSettings) -> pd.DataFrame:
    """One row per model (segment and pooled) of a snapshot: the stored fit table."""
    rows = []
    for m in models.values():
        bg = m.bgnbd.as_dict() if m.bgnbd is not None else {"r": None, "alpha": None, "a": None, "b": None}
        gg = m.gg.as_dict() if m.gg is not None else {"p": None, "q": None, "gamma": None}
        bg_se = {f"{k}_se": (v if m.bgnbd_std_errors is not None else None) for k, v in _se(m.bgnbd_std_errors, bg)}
        gg_se = {f"{k}_se": (v if m.gg_std_errors is not None else None) for k, v in _se(m.gg_std_errors, gg)}
        rows.append(
            {
                "as_of_date": pd.Timestamp(as_of).date(),
                "segment": m.segment,
                "time_unit": settings.time_unit,
                "horizon_months": settings.horizon_months,
                "monthly_discount_rate": settings.monthly_discount_rate,
                "n_customers": m.n_customers,
                "n_repeat_buyers": m.n_repeat_buyers,
                "bgnbd_source": m.bgnbd_source,
                **bg,
                **bg_se,
                "bgnbd_log_likelihood": m.bgnbd_log_likelihood,
                "bgnbd_converged": m.bgnbd_converged,
                "bgnbd_starts_tried": m.bgnbd_starts_tried,
                "bgnbd_start_log_likelihoods": m.bgnbd_start_log_likelihoods,
                "bgnbd_covariance": covariance_to_json(m.bgnbd_covariance if m.bgnbd is not None else None),
                "naive_repeat_rate": m.naive_rate,
                "gamma_gamma_source": m.gg_source,
                **gg,
                **gg_se,
                "gamma_gamma_log_likelihood": m.gg_log_likelihood,
                "gamma_gamma_n_customers": m.gg_n_customers,
                "gamma_gamma_converged": m.gg_converged,
                "gamma_gamma_starts_tried": m.gg_starts_tried,
                "gamma_gamma_start_log_likelihoods": m.gg_start_log_likelihoods,
                "gamma_gamma_covariance": covariance_to_json(m.gg_covariance if m.gg is not None else None),
                "mean_spend_per_purchase": m.mean_spend,
                "margin_rate": m.margin_rate,
                "message": "; ".join(m.messages),
                "clv_model": m.clv_model,
                "clv_model_reason": m.clv_model_reason or None,
                "clv_model_parameters": (r.parameters_json() if (r := m.repeat_model()) is not None else None),
                "clv_model_log_likelihood": m.clv_log_likelihood if m.bgnbd is not None else None,
                "clv_model_covariance": covariance_to_json(m.clv_covariance if m.bgnbd is not None else None),
            }
        )
    return pd.DataFrame(rows, columns=FIT_COLUMNS)


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _params(kind, row: dict, columns: tuple[str, ...]):
    values = [_num(row.get(c)) for c in columns]
    return None if any(v is None for v in values) else kind(*values)


def _covariance(value) -> tuple[tuple[float, ...], ...] | None:
    cov = covariance_from_json(_text(value))
    return None if cov is None else tuple(tuple(float(v) for v in row) for row in cov)


def _text(value) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def models_from_frame(fits: pd.DataFrame) -> dict[str, SegmentModel]:
    """Inverse of :func:`models_to_frame` for the rows of one snapshot."""
    models = {}
    for row in fits.to_dict("records"):
        bg = None if _num(row["r"]) is None else BGNBDParams(*(float(row[k]) for k in ("r", "alpha", "a", "b")))
        gg = None if _num(row["p"]) is None else GammaGammaParams(*(float(row[k]) for k in ("p", "q", "gamma")))
        models[str(row["segment"])] = SegmentModel(
            segment=str(row["segment"]),
            n_customers=int(row["n_customers"]),
            n_repeat_buyers=int(row["n_repeat_buyers"]),
            bgnbd_source=str(row["bgnbd_source"]),
            bgnbd=bg,
            bgnbd_log_likelihood=_num(row["bgnbd_log_likelihood"]),
            bgnbd_converged=bool(row["bgnbd_converged"]),
            naive_rate=_num(row["naive_repeat_rate"]),
            gg_source=str(row["gamma_gamma_source"]),
            gg=gg,
            gg_log_likelihood=_num(row["gamma_gamma_log_likelihood"]),
            gg_n_customers=int(row["gamma_gamma_n_customers"]),
            gg_converged=bool(row["gamma_gamma_converged"]),
            mean_spend=float(row["mean_spend_per_purchase"]),
            margin_rate=_num(row["margin_rate"]),
            messages=tuple(str(row["message"]).split("; ")),
            bgnbd_starts_tried=int(_num(row.get("bgnbd_starts_tried")) or 0),
            bgnbd_start_log_likelihoods=_text(row.get("bgnbd_start_log_likelihoods")),
            gg_starts_tried=int(_num(row.get("gamma_gamma_starts_tried")) or 0),
            gg_start_log_likelihoods=_text(row.get("gamma_gamma_start_log_likelihoods")),
            bgnbd_std_errors=_params(BGNBDParams, row, ("r_se", "alpha_se", "a_se", "b_se")),
            gg_std_errors=_params(GammaGammaParams, row, ("p_se", "q_se", "gamma_se")),
            bgnbd_covariance=_covariance(row.get("bgnbd_covariance")),
            gg_covariance=_covariance(row.get("gamma_gamma_covariance")),
            **_choice_fields(row),
        )
    return models


def _choice_fields(row: dict) -> dict:
    """The clv_model fields of a stored fit row (BG/NBD for a table from before model choice)."""
    name = _text(row.get("clv_model")) or ("bgnbd" if _num(row.get("r")) is not None else "naive_rate")
    text = _text(row.get("clv_model_parameters"))
    params = model_from_json(name, text).params if text is not None and name in ("mbgnbd", "paretonbd") else None
    return {
        "clv_model": name,
        "clv_model_reason": _text(row.get("clv_model_reason")) or "",
        "clv_params": params,
        "clv_covariance": _covariance(row.get("clv_model_covariance")),
        "clv_log_likelihood": _num(row.get("clv_model_log_likelihood")),
    }


def choose_models(
    models: dict[str, SegmentModel],
    summary: pd.DataFrame,
    settings: ClvSettings,
    refit_date,
    selection: pd.DataFrame | None = None,
    previous: dict[str, SegmentModel] | None = None,
) -> dict[str, SegmentModel]:
    """``models`` with the repeat-purchase model their predictions use (see salesperf.clv.choice):
    the pinned model (var clv_model), else the choice of the selection whose holdout ends at
    ``refit_date``, else BG/NBD; a chosen MBG/NBD or Pareto/NBD is fitted on the same customers."""
    previous = previous or {}
    chosen = ranked_at(selection, refit_date) if settings.model == "auto" else None
    out: dict[str, SegmentModel] = {}
    for key in [POOLED, *(k for k in models if k != POOLED)]:
        m = models[key]
        if m.bgnbd is None:
            out[key] = replace(m, clv_model="naive_rate", clv_model_reason="no BG/NBD fit: naive repeat rate")
            continue
        if key != POOLED and m.bgnbd_source == "pooled_fit":
            p = out[POOLED]
            out[key] = replace(
                m,
                clv_model=p.clv_model,
                clv_model_reason=f"pooled fit used: {p.clv_model_reason}",
                clv_params=p.clv_params,
                clv_covariance=p.clv_covariance,
                clv_log_likelihood=p.clv_log_likelihood,
            )
            continue
        if settings.model != "auto":
            candidates, reason = [settings.model], "pinned by var clv_model"
        elif chosen is None:
            candidates, reason = ["bgnbd"], "no model selection with its holdout ending at this date: BG/NBD"
        elif key not in chosen:
            candidates, reason = ["bgnbd"], "segment not in the model selection at this date: BG/NBD"
        elif not chosen[key]:
            candidates, reason = ["bgnbd"], "no converged model in the selection at this date: BG/NBD"
        else:
            candidates, reason = chosen[key], "chosen by the model selection (holdout ending at this date)"
        bg = {
            "clv_model": "bgnbd",
            "clv_params": tuple(float(v) for v in m.bgnbd.as_array()),
            "clv_covariance": m.bgnbd_covariance,
            "clv_log_likelihood": m.bgnbd_log_likelihood,
        }
        part = summary if key == POOLED else summary[summary["segment"] == key]
        before = previous.get(key)
        problems: list[str] = []
        result = None
        for wanted in candidates:
            if wanted == "bgnbd":
                result = replace(m, **bg)
                break
            warm = before.clv_params if before is not None and before.clv_model == wanted else None
            fit = fit_repeat_model(wanted, part, settings.time_unit, initial=warm)
            if not fit.converged:
                problems.append(f"{wanted} fit did not converge ({fit.message})")
            elif fit.covariance is None and settings.model == "auto":
                problems.append(f"{wanted} fit on a ridge (no covariance, no intervals)")
            else:
                result = replace(
                    m,
                    clv_model=wanted,
                    clv_params=tuple(float(v) for v in fit.params),
                    clv_covariance=fit.covariance,
                    clv_log_likelihood=fit.log_likelihood,
                )
                break
        if result is None:
            result = replace(m, **bg)
        if problems:
            reason = f"{reason}; {'; '.join(problems)}: {result.clv_model} used (next in the selection)"
            log.warning("CLV segment %s: %s", key, reason)
        out[key] = replace(result, clv_model_reason=reason)
    return out


def _summaries_ahead(
    purchases: pd.DataFrame, labels: pd.Series, settings: ClvSettings, dates: list[pd.Timestamp]
) -> Iterator[pd.DataFrame]:
    """The summary of each of ``dates`` in turn, with its customers' segments (``purchases`` from
    sort_purchases, ``labels`` from segment_labels): the next date's is computed on a thread while the
    caller fits or scores the one it has (two summaries in memory at a time, ~270 MB at a million
    customers; 5-6 s less for 12 month ends there)."""

    def labelled(as_of: pd.Timestamp) -> pd.DataFrame:
        summary = summarize(purchases, as_of, time_unit=settings.time_unit, presorted=True, with_codes=True)
        return summary if summary.empty else label_segments(summary, labels)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="clv-summary") as ahead:
        following = ahead.submit(labelled, dates[0]) if dates else None
        for position in range(len(dates)):
            summary = following.result()
            following = ahead.submit(labelled, dates[position + 1]) if position + 1 < len(dates) else None
            yield summary


def fit_snapshots(
    purchases: pd.DataFrame,
    segments: pd.DataFrame | None,
    snapshot_dates: Iterable,
    settings: ClvSettings,
    selection: pd.DataFrame | None = None,
    stored: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Refit at every snapshot date on the purchases up to it; the stored fit table of all dates.

    Each fit tries the previous snapshot's parameters as a warm start beside the fixed cold
    starts and keeps the best optimum of all (the starts are recorded in the fit table). The
    model the predictions use is chosen per date and segment by :func:`choose_models` from
    ``selection`` (fct_clv_model_selection) or the pinned var clv_model.

    Every row carries the date's ``fit_input_key`` (:mod:`salesperf.clv.reuse`). ``stored``: the
    fit table of an earlier build; a date whose key is among its rows takes those rows instead of
    being refitted (the same values: the key covers every input of the date's fits)."""
    frames = []
    previous: dict[str, SegmentModel] | None = None
    reused = 0
    purchases = sort_purchases(purchases)  # once, not at every date
    labels = segment_labels(purchases, segments)
    dates = sorted(pd.Timestamp(d) for d in snapshot_dates)
    digests = purchase_digests(purchases, labels, dates)
    # every date's key first (a key needs the previous date's key, not its fits), then the summaries of
    # the dates to fit, each computed on a thread while the date before it is fitted (_summaries_ahead)
    keys, previous_key = {}, None
    for as_of in dates:
        previous_key = keys[as_of] = fit_input_key(
            digests[as_of], settings, as_of, ranked_at(selection, as_of), previous_key
        )
    kept = {as_of: reusable_rows(stored, as_of, keys[as_of]) for as_of in dates}
    summaries = _summaries_ahead(purchases, labels, settings, [d for d in dates if kept[d] is None])
    for as_of in dates:
        key, rows = keys[as_of], kept[as_of]
        if rows is not None:  # kept: no summary, no fit
            frame = rows[FIT_COLUMNS + [KEY_COLUMN]].astype(FIT_DTYPES)
            models = models_from_frame(frame)
            reused += 1
        else:
            summary = next(summaries)
            if summary.empty:
                log.info("CLV snapshot %s: no purchase yet, skipped", as_of.date())
                continue
            models = choose_models(
                fit_models(summary, settings, previous), summary, settings, as_of, selection, previous
            )
            del summary
            frame = models_to_frame(models, as_of, settings).assign(**{KEY_COLUMN: key})
        frames.append(frame)
        previous = models
    if stored is not None:
        log.info("CLV fits: %d of %d refit dates kept from the stored fits (same input)", reused, len(frames))
    dtypes = {**FIT_DTYPES, KEY_COLUMN: "string"}
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})
    return pd.concat(frames, ignore_index=True).astype(dtypes)


def _snapshot_plan(
    purchases: pd.DataFrame,
    labels: pd.Series,
    fits: pd.DataFrame,
    settings: ClvSettings,
    snapshot_dates: Iterable | None,
) -> list[tuple[pd.Timestamp, pd.Timestamp, pd.DataFrame, str | None]]:
    """(snapshot date, its fit's date, the fit's rows, prediction input key) of every snapshot date
    with a fit on or before it (``purchases`` from sort_purchases, ``labels`` from segment_labels)."""
    fit_dates = pd.to_datetime(fits["as_of_date"])
    unique_fit_dates = np.array(sorted(fit_dates.unique()))
    wanted = unique_fit_dates if snapshot_dates is None else sorted(pd.Timestamp(d) for d in snapshot_dates)
    wanted = [pd.Timestamp(d) for d in wanted]
    digests = purchase_digests(purchases, labels, wanted)
    plan = []
    for as_of in wanted:
        earlier = unique_fit_dates[unique_fit_dates <= as_of]
        if earlier.size == 0:
            log.info("CLV snapshot %s: no fit on or before it, skipped", as_of.date())
            continue
        fit_date = pd.Timestamp(earlier[-1])
        fit_rows = fits[fit_dates == fit_date]
        fit_key = fit_rows[KEY_COLUMN].iloc[0] if KEY_COLUMN in fit_rows else None
        plan.append(
            (as_of, fit_date, fit_rows, prediction_input_key(digests[as_of], settings, as_of, fit_date, fit_key))
        )
    return plan


def prediction_keys(
    purchases: pd.DataFrame,
    segments: pd.DataFrame | None,
    fits: pd.DataFrame,
    settings: ClvSettings,
    snapshot_dates: Iterable | None = None,
) -> dict[pd.Timestamp, str | None]:
    """The ``prediction_input_key`` of every snapshot date :func:`iter_predict_snapshots` would score
    (one pass over the purchases, no summary): which dates a stored table can give unchanged."""
    purchases = sort_purchases(purchases)
    plan = _snapshot_plan(purchases, segment_labels(purchases, segments), fits, settings, snapshot_dates)
    return {as_of: key for as_of, _, _, key in plan}


def iter_predict_snapshots(
    purchases: pd.DataFrame,
    segments: pd.DataFrame | None,
    fits: pd.DataFrame,
    settings: ClvSettings,
    snapshot_dates: Iterable | None = None,
    skip: Collection = (),
) -> Iterator[pd.DataFrame]:
    """The per-customer predictions of :func:`predict_snapshots`, one frame per snapshot date.

    Only one snapshot date's frame is built at a time: the caller writes it out (the dbt model
    streams them into the warehouse as Arrow record batches) before the next one is computed, so
    the memory holds one date's customers, not every date's (10.6 M rows at 1 M customers and 12
    month ends). Each frame's last column ``prediction_input_key`` is the digest of everything its
    values come from (salesperf.clv.reuse); the dates in ``skip`` are not scored (the dbt model
    takes them from its stored table when their key is unchanged)."""
    purchases = sort_purchases(purchases)  # once, not at every date
    labels = segment_labels(purchases, segments)
    skip = {pd.Timestamp(d) for d in skip}
    plan = [step for step in _snapshot_plan(purchases, labels, fits, settings, snapshot_dates) if step[0] not in skip]
    summaries = _summaries_ahead(purchases, labels, settings, [as_of for as_of, *_ in plan])
    for (as_of, fit_date, fit_rows, key), summary in zip(plan, summaries, strict=True):
        if summary.empty:
            continue
        pred = predict(summary, models_from_frame(fit_rows), settings)
        del summary
        pred.insert(0, "fit_as_of_date", fit_date.date())
        pred.insert(0, "as_of_date", as_of.date())
        pred[PREDICTION_KEY_COLUMN] = key
        yield pred
        del pred


def predict_snapshots(
    purchases: pd.DataFrame,
    segments: pd.DataFrame | None,
    fits: pd.DataFrame,
    settings: ClvSettings,
    snapshot_dates: Iterable | None = None,
) -> pd.DataFrame:
    """Per-customer predictions at every snapshot date (default: the fit dates of ``fits``), as one frame.

    Each snapshot uses the latest fit on or before it (``fit_as_of_date``) and the customers'
    history up to the snapshot date; a snapshot before the first fit is skipped (logged). The
    frames of :func:`iter_predict_snapshots` put together (the dbt model streams them instead)."""
    frames = list(iter_predict_snapshots(purchases, segments, fits, settings, snapshot_dates))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def run_snapshots(
    purchases: pd.DataFrame, segments: pd.DataFrame | None, snapshot_dates: Iterable, settings: ClvSettings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit and predict at every snapshot date: (fit table, per-customer predictions)."""
    fits = fit_snapshots(purchases, segments, snapshot_dates, settings)
    return fits, predict_snapshots(purchases, segments, fits, settings)
