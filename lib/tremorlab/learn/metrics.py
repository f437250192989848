"""Classification metrics with bootstrap confidence intervals."""

from __future__ import annotations

from typing import Callable

import numpy as np


def confusion(y_true, y_pred, labels) -> np.ndarray:
    """Confusion counts: ``C[i, j]`` samples of true label ``labels[i]`` predicted as ``labels[j]``.

    The layout of :func:`sklearn.metrics.confusion_matrix` (rows true, columns predicted, in the order
    of ``labels``), with the same numbers: a sample whose true or predicted label is not in ``labels``
    is not counted.  For two classes, ``confusion(y, pred, (0, 1)).ravel()`` is ``(TN, FP, FN, TP)``.
    The one implementation of confusion counting in the library (vision, the tremor benchmark, the
    dysgraphia forest and nested CV use it).
    """
    labels = np.asarray(labels)
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"confusion: y_true and y_pred differ in length ({y_true.size} vs {y_pred.size})")
    if labels.ndim != 1 or labels.size == 0 or np.unique(labels).size != labels.size:
        raise ValueError(f"confusion: labels must be distinct values, got {labels.tolist()}")
    n = labels.size
    order = np.argsort(labels, kind="stable")
    ordered = labels[order]

    def index(v):
        pos = np.clip(np.searchsorted(ordered, v), 0, n - 1)
        return order[pos], ordered[pos] == v

    i, known_true = index(y_true)
    j, known_pred = index(y_pred)
    keep = known_true & known_pred
    return np.bincount(i[keep] * n + j[keep], minlength=n * n).reshape(n, n)


def group_bootstrap(stat: Callable[..., float], arrays: dict, groups=None, n_boot: int = 1000, seed: int = 0,
                    level: float = 0.95) -> tuple[float, float, float]:
    """Point estimate and percentile bootstrap interval of ``stat(**arrays)``, resampling whole groups.

    ``arrays`` maps ``stat``'s argument names to arrays of equal length (one entry per case);
    ``groups`` (e.g. subjects, segments) keeps a unit's cases together; without it each case is
    a unit.  Resamples in which ``stat`` is undefined (raises ``ValueError``, e.g. a single class
    for AUC) are skipped.

    Returns
    -------
    (estimate, low, high)
    """
    arrays = {k: np.asarray(v) for k, v in arrays.items()}
    sizes = {k: v.shape[0] for k, v in arrays.items()}
    n = next(iter(sizes.values()))
    if any(m != n for m in sizes.values()):
        raise ValueError(f"the arrays must have one entry per case; got lengths {sizes}")
    groups = np.arange(n) if groups is None else np.asarray(groups)
    if groups.shape[0] != n:
        raise ValueError(f"groups has {groups.shape[0]} entries for {n} cases")
    _, inv = np.unique(groups, return_inverse=True)
    order = np.argsort(inv, kind="stable")  # the cases of unit k are order[starts[k]:starts[k] + counts[k]]
    counts = np.bincount(inv)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rng = np.random.default_rng(seed)
    est = float(stat(**arrays))
    stats = []
    for _ in range(int(n_boot)):
        pick = rng.integers(0, counts.size, counts.size)
        idx = order[np.concatenate([np.arange(starts[k], starts[k] + counts[k]) for k in pick])]
        try:
            stats.append(float(stat(**{k: v[idx] for k, v in arrays.items()})))
        except ValueError:
            continue
    if not stats:
        return est, float("nan"), float("nan")
    alpha = (1 - level) / 2
    lo, hi = np.quantile(stats, [alpha, 1 - alpha])
    return est, float(lo), float(hi)


def bootstrap_ci(metric: Callable[[np.ndarray, np.ndarray], float], y_true, y_pred, n_boot: int = 1000,
                 level: float = 0.95, seed: int = 0, groups=None) -> tuple[float, float, float]:
    """Point estimate and percentile bootstrap interval of ``metric(y_true, y_pred)``.

    Resamples cases with replacement (or whole ``groups``, e.g. subjects, when given, so that
    repeated images of one subject stay together); see :func:`group_bootstrap`.

    Returns
    -------
    (estimate, low, high)
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(f"y_true has {y_true.shape[0]} cases, y_pred {y_pred.shape[0]}")
    return group_bootstrap(lambda t, p: metric(t, p), {"t": y_true, "p": y_pred}, groups, n_boot, seed, level)
