"""The cold starts of the BG/NBD fit are the same bits on every machine (issue 13).

A fit on a flat ridge keeps the last bits of its start values. They used to come from np.dot, which
calls BLAS: its sum order (and so its last bit) may depend on the number of threads and on the CPU's
kernels. Now the sums are exactly rounded (math.fsum): equal to the exact rational sums rounded
once, and so independent of the row order too (which no floating-point running sum is)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from salesperf.clv.bgnbd import _initial_guesses


def _exact_starts(x: np.ndarray, big_t: np.ndarray, w: np.ndarray) -> list[np.ndarray]:
    total_w = sum(Fraction(v) for v in w)
    # w * T and w * x are rounded products in the code: the exact sum of the same products
    total_t = sum(Fraction(float(v)) for v in w * big_t)
    total_x = sum(Fraction(float(v)) for v in w * x)
    mean_t = max(float(total_t) / float(total_w), 1e-3)
    rate = max(float(total_x) / max(float(total_t), 1e-9), 1e-6)
    starts = []
    for r0, a0, b0 in ((1.0, 1.0, 1.0), (0.5, 0.8, 3.0), (2.0, 2.0, 8.0)):
        starts.append(np.log([r0, float(np.clip(r0 / rate, 1e-3, 1e5)), a0, b0]))
    starts.append(np.log([1.0, mean_t, 1.0, 1.0]))
    return starts


def test_cold_starts_are_exactly_rounded_and_independent_of_the_row_order() -> None:
    rng = np.random.default_rng(7)
    n = 20_000
    x = rng.poisson(2.0, n).astype(float)
    big_t = rng.uniform(0.1, 150.0, n) / 7.0  # weeks from day counts: inexact binary fractions
    w = rng.integers(1, 4, n).astype(float)
    starts = _initial_guesses(x, big_t, w)
    for got, want in zip(starts, _exact_starts(x, big_t, w), strict=True):
        assert np.array_equal(got, want), (got, want)
    order = rng.permutation(n)
    for got, want in zip(_initial_guesses(x[order], big_t[order], w[order]), starts, strict=True):
        assert np.array_equal(got, want)
    # np.dot (BLAS) is not order independent on such data: the reason for the exact sums
    assert any(np.dot(w[p], big_t[p]) != np.dot(w, big_t) for p in (rng.permutation(n) for _ in range(20)))
