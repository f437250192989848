"""Classification metrics with bootstrap confidence intervals."""

from __future__ import annotations

from typing import Callable

import numpy as np


def bootstrap_ci(metric: Callable[[np.ndarray, np.ndarray], float], y_true, y_pred, n_boot: int = 1000,
                 level: float = 0.95, seed: int = 0, groups=None) -> tuple[float, float, float]:
    """Point estimate and percentile bootstrap interval of ``metric(y_true, y_pred)``.

    Resamples cases with replacement (or whole ``groups``, e.g. subjects, when given, so that
    repeated images of one subject stay together).  Resamples in which the metric is undefined
    (raises ``ValueError``, e.g. a single class for AUC) are skipped.

    Returns
    -------
    (estimate, low, high)
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(f"y_true has {y_true.shape[0]} cases, y_pred {y_pred.shape[0]}")
    rng = np.random.default_rng(seed)
    est = float(metric(y_true, y_pred))
    if groups is None:
        units = [np.array([i]) for i in range(y_true.shape[0])]
    else:
        groups = np.asarray(groups)
        units = [np.flatnonzero(groups == g) for g in np.unique(groups)]
    stats = []
    for _ in range(n_boot):
        pick = rng.integers(0, len(units), len(units))
        idx = np.concatenate([units[k] for k in pick])
        try:
            stats.append(float(metric(y_true[idx], y_pred[idx])))
        except ValueError:
            continue
    if not stats:
        return est, float("nan"), float("nan")
    alpha = (1 - level) / 2
    lo, hi = np.quantile(stats, [alpha, 1 - alpha])
    return est, float(lo), float(hi)
