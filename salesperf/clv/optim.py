"""Multi-start maximum likelihood shared by the BTYD fits: every start is optimised, the best kept."""

from __future__ import annotations

import copy
import ctypes
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy
from scipy import optimize

Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]
Hessian = Callable[[np.ndarray], np.ndarray]

_NEWTON_STEPS = 20
_NEWTON_MAX_STEP = 2.0  # largest Newton step in log-parameter space
_HESSIAN_STEP = 1e-5
_VALUE_HESSIAN_STEP = 5e-4  # of value_hessian, in log-parameter space


@dataclass(frozen=True)
class StartResult:
    """Where one start of a fit ended: its label, the log-likelihood reached, optimiser success."""

    start: str  # "warm" (the previous fit) or "cold_1", "cold_2", ... (fixed starting points)
    log_likelihood: float
    success: bool


@dataclass(frozen=True)
class MultiStartResult:
    theta: np.ndarray  # the best optimum, in log-parameter space
    value: float  # objective (negative mean log-likelihood) at theta
    success: bool
    message: str
    best_start: str
    starts: tuple[StartResult, ...]
    std_errors: tuple[float, ...] | None  # of the parameters (not their logs); None off an interior optimum
    covariance: np.ndarray | None = None  # of the parameters (inverse observed information); None with std_errors

    def fit_fields(self, params_type: Callable[..., Any], n_customers: float) -> dict[str, Any]:
        """The fields every fit record takes from its best optimum: params, log_likelihood, starts,
        best_start, std_errors (parameters and standard errors as ``params_type``)."""
        return {
            "params": params_type(*np.exp(self.theta)),
            "log_likelihood": -self.value * n_customers,
            "starts": self.starts,
            "best_start": self.best_start,
            "std_errors": None if self.std_errors is None else params_type(*self.std_errors),
            "covariance": covariance_to_tuple(self.covariance),
        }


def starts_to_json(starts: Sequence[StartResult]) -> str | None:
    """The starts of a fit as JSON text (stored in fct_clv_model_fits); None without a fit."""
    if not starts:
        return None
    return json.dumps(
        [
            {
                "start": s.start,
                "log_likelihood": round(s.log_likelihood, 6) if np.isfinite(s.log_likelihood) else None,
                "converged": bool(s.success),
            }
            for s in starts
        ]
    )


def _openblas_thread_controls() -> list[tuple[Callable[[], int], Callable[[int], None]]]:
    """(get, set) of the number of threads of the OpenBLAS copies bundled with numpy and scipy."""
    controls = []
    for package, suffix in ((scipy, ""), (np, "64_")):
        libs = Path(package.__file__).resolve().parent.parent / f"{package.__name__}.libs"
        for lib in sorted(libs.glob("libscipy_openblas*.so*")):
            try:
                handle = ctypes.CDLL(str(lib))
                get = getattr(handle, f"scipy_openblas_get_num_threads{suffix}")
                set_ = getattr(handle, f"scipy_openblas_set_num_threads{suffix}")
            except (OSError, AttributeError):
                continue
            get.restype = ctypes.c_int
            set_.argtypes = [ctypes.c_int]
            controls.append((get, set_))
    return controls


_BLAS_CONTROLS: list | None = None


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run the fits with one BLAS thread (restored afterwards).

    L-BFGS-B calls BLAS on 4 x 4 problems thousands of times; OpenBLAS threads make each call
    wait for the other cores, which on a busy 2-core machine made the fits ~10x slower. A no-op
    where the bundled OpenBLAS is not found (threadpoolctl would be the general tool)."""
    global _BLAS_CONTROLS
    if _BLAS_CONTROLS is None:
        _BLAS_CONTROLS = _openblas_thread_controls()
    before = [get() for get, _ in _BLAS_CONTROLS]
    for _, set_ in _BLAS_CONTROLS:
        set_(1)
    try:
        yield
    finally:
        for (_, set_), n in zip(_BLAS_CONTROLS, before, strict=True):
            set_(max(int(n), 1))


def _hessian(objective: Objective, theta: np.ndarray) -> np.ndarray:
    """Central differences of the analytic gradient, symmetrised."""
    k = theta.size
    h = np.zeros((k, k))
    for i in range(k):
        step = np.zeros(k)
        step[i] = _HESSIAN_STEP
        h[:, i] = (objective(theta + step)[1] - objective(theta - step)[1]) / (2 * _HESSIAN_STEP)
    return (h + h.T) / 2


def value_hessian(
    value: Callable[[np.ndarray], float], theta: np.ndarray, step: float = _VALUE_HESSIAN_STEP
) -> np.ndarray:
    """The Hessian of a function known by its values only (a log-likelihood whose gradient is itself a
    central difference): second differences, 1 + 2k + k(k - 1) values (21 for four parameters; the
    differences of a central-difference gradient took 8 gradients of 9 values, 72).

        H_ii = (f(+i) - 2 f + f(-i)) / h^2
        H_ij = (f(+i+j) + f(-i-j) - f(+i) - f(-i) - f(+j) - f(-j) + 2 f) / (2 h^2)

    both with an error of order h^2. Measured on the Pareto/NBD and MBG/NBD likelihoods of CDNOW and of
    the demo (h from 1e-4 to 1e-3 alike): within ~1e-6 of a Richardson-extrapolated reference, the
    rounding of the hypergeometric terms themselves, where differences of the differenced gradient
    were ~1e-4 off and put standard errors up to 1.2 % off (tests/test_clv_models.py)."""
    theta = np.asarray(theta, dtype=float)
    k = theta.size
    eye = np.eye(k) * step
    f0 = value(theta)
    plus = np.array([value(theta + eye[i]) for i in range(k)])
    minus = np.array([value(theta - eye[i]) for i in range(k)])
    hess = np.diag((plus - 2.0 * f0 + minus) / step**2)
    for i in range(k):
        for j in range(i + 1, k):
            both = value(theta + eye[i] + eye[j]) + value(theta - eye[i] - eye[j])
            hess[i, j] = hess[j, i] = (both - plus[i] - minus[i] - plus[j] - minus[j] + 2.0 * f0) / (2.0 * step**2)
    return hess


def standard_errors(objective: Objective, theta: np.ndarray, scale: float) -> tuple[float, ...] | None:
    """Standard errors of exp(theta) from the observed information (the Hessian of -LL).

    The objective is -LL / scale over theta = log(parameters): the covariance of theta is the
    inverse of scale x its Hessian, and by the delta method se(exp(theta_i)) = exp(theta_i) x
    se(theta_i). None when the Hessian is not positive definite (a ridge, a bound)."""
    return covariance_and_errors(objective, theta, scale)[1]


def covariance_and_errors(
    objective: Objective, theta: np.ndarray, scale: float, hessian: Hessian | None = None
) -> tuple[np.ndarray | None, tuple[float, ...] | None]:
    """(covariance of the parameters exp(theta), their standard errors), both None on a ridge or bound.

    The covariance of theta is the inverse observed information; that of the parameters follows
    by the delta method, cov(exp(theta_i), exp(theta_j)) = exp(theta_i) exp(theta_j) cov(theta_i, theta_j)
    (its diagonal's square roots are the standard errors, computed as before). ``hessian``: the
    Hessian of the objective at a point when the caller has a better way than differences of its
    gradient (:func:`value_hessian` for a gradient that is itself a difference)."""
    with np.errstate(all="ignore"):
        info = (_hessian(objective, theta) if hessian is None else hessian(theta)) * scale
        if not np.all(np.isfinite(info)):
            return None, None
        try:
            np.linalg.cholesky(info)
            cov = np.linalg.inv(info)
        except np.linalg.LinAlgError:
            return None, None
    se = np.exp(theta) * np.sqrt(np.diag(cov))
    if not np.all(np.isfinite(se)):
        return None, None
    scale_params = np.exp(theta)
    cov_params = (cov + cov.T) / 2 * np.outer(scale_params, scale_params)
    return cov_params, tuple(float(v) for v in se)


def covariance_to_tuple(cov: np.ndarray | None) -> tuple[tuple[float, ...], ...] | None:
    """A covariance matrix as nested tuples (hashable, for the frozen fit records); None stays None."""
    return None if cov is None else tuple(tuple(float(v) for v in row) for row in np.asarray(cov))


def covariance_to_json(cov) -> str | None:
    """A covariance matrix as JSON text (a list of rows, parameters in the fit's order); None without one."""
    return None if cov is None else json.dumps([[float(f"{v:.17g}") for v in row] for row in cov])


def covariance_from_json(text) -> np.ndarray | None:
    """Inverse of :func:`covariance_to_json`."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    return np.array(json.loads(str(text)), dtype=float)


def newton_polish(
    objective: Objective, theta: np.ndarray, bounds: tuple[float, float], hessian: Hessian | None = None
) -> tuple[np.ndarray, float]:
    """A few damped Newton steps from an L-BFGS-B optimum: the last digits of a flat optimum.

    L-BFGS-B stops where the gradient is small, which on a flat likelihood (CDNOW's Gamma-Gamma
    changes by 1e-7 between gamma = 15.44 and 15.45) leaves the 4th significant digit to chance;
    Newton's method converges quadratically there. A step is taken only while the Hessian is
    positive definite and the objective does not increase, so an optimum on a ridge (a, b -> inf)
    is left where it is. ``hessian``: as in :func:`covariance_and_errors`."""
    value, grad = objective(theta)
    for _ in range(_NEWTON_STEPS):
        hess = _hessian(objective, theta) if hessian is None else hessian(theta)
        if not np.all(np.isfinite(hess)):
            break
        try:
            chol = np.linalg.cholesky(hess)
        except np.linalg.LinAlgError:
            break
        step = -np.linalg.solve(chol.T, np.linalg.solve(chol, grad))
        norm = float(np.max(np.abs(step)))
        if not np.isfinite(norm):
            break
        if norm > _NEWTON_MAX_STEP:
            step *= _NEWTON_MAX_STEP / norm
        candidate = np.clip(theta + step, *bounds)
        new_value, new_grad = objective(candidate)  # the gradient of the next step: one evaluation per step
        if not new_value <= value:
            break
        theta, value, grad = candidate, new_value, new_grad
        if norm < 1e-10:
            break
    return theta, value


def _remembered(function: Callable[[np.ndarray], Any]) -> Callable[[np.ndarray], Any]:
    """``function`` (the objective, or the Hessian) evaluated once per theta: the Newton polish ends with
    the Hessian at the optimum, which the covariance needs again (the same points, the same values, no
    new work). Each call gets its own copy of the arrays (the optimiser may change what it is given)."""
    seen: dict[bytes, Any] = {}

    def remembered(theta: np.ndarray) -> Any:
        key = np.asarray(theta, dtype=float).tobytes()
        if key not in seen:
            seen[key] = function(theta)
        return copy.deepcopy(seen[key])

    return remembered


def multi_start(
    objective: Objective,
    starts: Sequence[tuple[str, np.ndarray]],
    bounds: tuple[float, float],
    scale: float,
    warm: np.ndarray | None = None,
    hessian: Hessian | None = None,
) -> MultiStartResult:
    """Minimise ``objective`` (negative mean log-likelihood over log-parameters) from every start.

    ``warm`` (parameters, not their logs, e.g. the previous snapshot's fit) is tried first, as
    start "warm". Every start is run to its end (none is skipped because an earlier one
    converged); the lowest objective wins (the first start on a tie), then it is polished by
    Newton steps. ``scale`` (the number of customers) turns the objective into a log-likelihood
    for the record. Floating-point warnings are silenced: a bad start just loses. ``hessian``: the
    objective's Hessian for the polish and the covariance when the caller has a better one than
    differences of its gradient (see :func:`covariance_and_errors`)."""
    if warm is not None:
        starts = [("warm", np.log(warm)), *starts]
    objective = _remembered(objective)
    hessian = None if hessian is None else _remembered(hessian)
    with single_threaded_blas(), np.errstate(all="ignore"):
        results = []
        best, best_fun, best_label = None, np.inf, ""
        for label, theta0 in starts:
            theta0 = np.clip(np.asarray(theta0, dtype=float), *bounds)
            res = optimize.minimize(
                objective,
                theta0,
                jac=True,
                method="L-BFGS-B",
                bounds=[bounds] * theta0.size,
                options={"maxiter": 1000},
            )
            fun = float(res.fun) if np.isfinite(res.fun) and res.fun < 1e299 else np.inf
            results.append(StartResult(label, -fun * scale, bool(res.success)))
            if best is None or fun < best_fun - 1e-12:  # a tie keeps the earlier start (the warm one)
                best, best_fun, best_label = res, fun, label
        theta, value = newton_polish(objective, np.asarray(best.x, dtype=float), bounds, hessian)
        covariance, std_errors = covariance_and_errors(objective, theta, scale, hessian)
        return MultiStartResult(
            theta=theta,
            value=float(value),
            success=bool(best.success),
            message=str(best.message),
            best_start=best_label,
            starts=tuple(results),
            std_errors=std_errors,
            covariance=covariance,
        )


def bound_verdict(
    theta: np.ndarray, bounds: tuple[float, float], dropout: tuple[str, str], homogeneous: str
) -> tuple[bool, str | None]:
    """(degenerate, the limit it is on) of a fit of a repeat-purchase model with parameters (r, alpha,
    then the two of the dropout process, ``dropout``: a, b of BG/NBD and MBG/NBD, s, beta of
    Pareto/NBD) by where its log-parameters ``theta`` sit on ``bounds``:

    * the first dropout parameter at its lower bound (a -> 0, s -> 0): a limit of the dropout
      distribution, a legitimate optimum of data with little visible dropout -- with the second
      parameter finite nobody drops out (the NBD); with both small (BG/NBD's Beta(a, b) at a, b -> 0)
      a share b / (a + b) of the customers never drops out and the others drop out at their next
      purchase. Its predictions are close to those of the interior points of the flat likelihood
      beside it, so a fit on either side of that edge is used alike (none falls back to another fit);
    * a dropout parameter at its upper bound: nearly homogeneous dropout (``homogeneous``), also
      legitimate;
    * r or alpha on a bound, or the second dropout parameter at its lower bound (everyone drops out
      at once): degenerate, not usable.
    """
    at_lower = np.abs(theta - bounds[0]) < 1e-6
    at_upper = np.abs(theta - bounds[1]) < 1e-6
    degenerate = bool(np.any(at_lower[:2]) or np.any(at_upper[:2]) or at_lower[3])
    if degenerate:
        return True, None
    if at_lower[2]:
        return False, f"{dropout[0]} at its lower bound: a limit of the dropout distribution (no dropout, or at once)"
    if np.any(at_upper[2:]):
        return False, homogeneous
    return False, None


def fit_problem(best: MultiStartResult, degenerate: bool) -> str | None:
    """Why a fit is not usable as it stands (a parameter on its bound, the optimiser failed); None if neither."""
    if degenerate:
        return "a parameter reached its bound (degenerate fit)"
    if not best.success:
        return f"optimiser: {best.message}"
    return None
