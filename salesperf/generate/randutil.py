"""Small vectorised helpers shared by the table generators."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SOFT_DELETE_RATE = 0.007


def choose(rng: np.random.Generator, probs: Sequence[float], n: int) -> np.ndarray:
    """Category index for n draws from fixed probabilities."""
    p = np.asarray(probs, dtype=np.float64)
    return np.minimum(np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right"), len(p) - 1)


def choose_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """Category index per row of a [rows, categories] probability (or weight) matrix."""
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cdf[:, -1]
    return np.minimum((cdf <= u[:, None]).sum(axis=1), probs.shape[1] - 1)


def soft_deleted(rng: np.random.Generator, n: int, rate: float = SOFT_DELETE_RATE) -> np.ndarray:
    return rng.random(n) < rate


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For counts per parent: (parent index, 0-based position within the parent) of each child row."""
    counts = np.asarray(counts, dtype=np.int64)
    parent = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    return parent, np.arange(len(parent)) - first[parent]


def group_cumsum(values: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Running sum of values within consecutive runs of the same parent (rows sorted by parent)."""
    total = np.cumsum(values)
    if len(values) == 0:
        return total
    new_group = np.concatenate([[True], parent[1:] != parent[:-1]])
    starts = np.flatnonzero(new_group)
    run = np.cumsum(new_group) - 1
    base = (total - values)[starts]
    return total - base[run]


def lognormal_around(rng: np.random.Generator, mean: np.ndarray | float, sigma: float, n: int) -> np.ndarray:
    """Lognormal draws whose expectation is ``mean``."""
    return np.asarray(mean) * rng.lognormal(-sigma * sigma / 2.0, sigma, n)
