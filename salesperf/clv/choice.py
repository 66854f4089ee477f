"""Which repeat-purchase model a segment's predictions use at a refit date (issue 13: model choice).

Var clv_model: ``auto`` (default) uses, per segment, the model chosen by the model selection whose
holdout ends at the refit date (fct_clv_model_selection: calibration/holdout split, the smallest
holdout class error wins); ``bgnbd``, ``mbgnbd`` or ``paretonbd`` pins one model at every date.
BG/NBD is used, and the reason stored, where no choice is possible: no selection with its holdout
ending at that date (a refit date before the selection's holdout end would need the future to
choose), no converged model in the selection. When the chosen model's own fit on the data up to
the refit date does not converge or has no covariance (a ridge: its customers would get no
interval), the next model of the selection by holdout error is used (BG/NBD when none is left),
and the reason says so. BG/NBD (and Gamma-Gamma) are fitted and stored at every date in any
case; the chosen model is fitted on the same customers (the segment's own, or pooled for a segment
that uses the pooled fit) and stored beside them (clv_model_* columns of fct_clv_model_fits).

:class:`RepeatModel` gives the three models one face for the predictions (P(alive), conditional
expected purchases, its parameters as an array for the intervals' finite differences).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesperf.clv import bgnbd, mbgnbd, paretonbd

MODELS = ("bgnbd", "mbgnbd", "paretonbd")
CHOICES = ("auto", *MODELS)
NAMES = {"bgnbd": ("r", "alpha", "a", "b"), "mbgnbd": mbgnbd.NAMES, "paretonbd": paretonbd.NAMES}


@dataclass(frozen=True)
class RepeatModel:
    """A fitted repeat-purchase model: ``name`` in MODELS, ``params`` in the order of NAMES[name]."""

    name: str
    params: tuple[float, ...]

    def as_array(self) -> np.ndarray:
        return np.array(self.params, dtype=float)

    def with_params(self, params) -> RepeatModel:
        return RepeatModel(self.name, tuple(float(v) for v in params))

    def p_alive(self, frequency, recency, age) -> np.ndarray:
        if self.name == "bgnbd":
            return bgnbd.probability_alive(bgnbd.BGNBDParams(*self.params), frequency, recency, age)
        module = mbgnbd if self.name == "mbgnbd" else paretonbd
        return module.probability_alive(self.params, frequency, recency, age)

    def expected(self, t, frequency, recency, age) -> np.ndarray:
        """Expected purchases in (T, T + t]; ``t`` broadcasts as in bgnbd.expected_purchases."""
        if self.name == "bgnbd":
            return bgnbd.expected_purchases(bgnbd.BGNBDParams(*self.params), t, frequency, recency, age)
        module = mbgnbd if self.name == "mbgnbd" else paretonbd
        return module.expected_purchases(self.params, t, frequency, recency, age)

    def expected_if_alive(self, t, frequency, age) -> np.ndarray:
        """Expected purchases in (T, T + t] of a customer alive at T: ``expected`` without P(alive)."""
        if self.name == "bgnbd":
            return bgnbd.expected_purchases_if_alive(bgnbd.BGNBDParams(*self.params), t, frequency, age)
        module = mbgnbd if self.name == "mbgnbd" else paretonbd
        return module.expected_purchases_if_alive(self.params, t, frequency, age)

    def parameters_json(self) -> str:
        return json.dumps(dict(zip(NAMES[self.name], self.params, strict=True)))


def model_from_json(name: str, text: str) -> RepeatModel:
    """Inverse of :meth:`RepeatModel.parameters_json`."""
    values = json.loads(text)
    return RepeatModel(name, tuple(float(values[k]) for k in NAMES[name]))


def check_choice(value: str) -> str:
    value = str(value).strip().lower() or "auto"
    if value not in CHOICES:
        raise ValueError(f"var clv_model must be one of {', '.join(CHOICES)} (got {value!r})")
    return value


def fit_repeat_model(name: str, summary: pd.DataFrame, time_unit: str, initial=None):
    """The fit of ``name`` (MBG/NBD or Pareto/NBD) on a summary's (x, t_x, T): a RepeatFit."""
    fitter = mbgnbd.fit_mbgnbd if name == "mbgnbd" else paretonbd.fit_paretonbd
    return fitter(
        summary["frequency"].to_numpy(float),
        summary["recency"].to_numpy(float),
        summary["age"].to_numpy(float),
        time_unit=time_unit,
        initial=initial,
    )


def ranked_at(selection: pd.DataFrame | None, refit_date) -> dict[str, list[str]] | None:
    """{segment: its converged models of the selection whose holdout ends at ``refit_date``, the
    chosen one first, then by holdout error (BG/NBD first on a tie)}; None without such a selection."""
    if selection is None or selection.empty:
        return None
    at = selection[pd.to_datetime(selection["holdout_end_date"]) == pd.Timestamp(refit_date)]
    if at.empty:
        return None
    out: dict[str, list[str]] = {}
    for segment, part in at.groupby("segment", sort=False):
        part = part.assign(order=part["model"].map({m: k for k, m in enumerate(MODELS)}))
        chosen = part[part["is_chosen"].astype(bool)]
        rest = part[~part["is_chosen"].astype(bool)]
        if "holdout_error" in rest and "converged" in rest:
            rest = rest[rest["converged"].astype(bool) & rest["holdout_error"].notna()]
            rest = rest.sort_values(["holdout_error", "order"])
        else:
            rest = rest.iloc[0:0]
        out[str(segment)] = [str(m) for m in (*chosen["model"], *rest["model"])] if not chosen.empty else []
    return out


def chosen_at(selection: pd.DataFrame | None, refit_date) -> dict[str, str] | None:
    """{segment: chosen model} of the selection whose holdout ends at ``refit_date`` (a segment without
    a converged model maps to None); None when no selection ends at that date."""
    if selection is None or selection.empty:
        return None
    at = selection[pd.to_datetime(selection["holdout_end_date"]) == pd.Timestamp(refit_date)]
    if at.empty:
        return None
    out: dict[str, str] = {}
    for segment, part in at.groupby("segment", sort=False):
        chosen = part[part["is_chosen"].astype(bool)]
        out[str(segment)] = str(chosen["model"].iloc[0]) if not chosen.empty else None
    return out
