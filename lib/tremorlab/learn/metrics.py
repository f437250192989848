"""Classification metrics with bootstrap confidence intervals (over units; over seeds and units)."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class SeedInterval:
    """An estimate over training seeds and independent units with its two-level bootstrap interval.

    ``estimate`` is ``stat`` on every seed and every unit; ``low``/``high`` the percentile interval
    of the two-level bootstrap; ``per_seed`` the estimate of each seed alone (in the order of the
    seed columns).  Iterating gives ``(estimate, low, high)``, so it unpacks like the one-level
    intervals of :func:`group_bootstrap`.
    """

    estimate: float
    low: float
    high: float
    per_seed: tuple[float, ...]

    def __iter__(self):
        return iter((self.estimate, self.low, self.high))

    @property
    def signs_agree(self) -> bool:
        """Every seed's estimate has the same strict sign (none is 0)."""
        s = np.sign(np.asarray(self.per_seed, float))
        return bool(s.size and np.all(s == s[0]) and s[0] != 0)


def seed_bootstrap(stat: Callable[..., float], arrays: dict, groups=None, n_boot: int = 1000, seed: int = 0,
                   level: float = 0.95) -> SeedInterval:
    """``stat(**arrays)`` over training seeds and units, with a two-level bootstrap interval.

    A trained method's result is a draw from two sources of variation: the independent units it
    is measured on (patients, children, segments) and the training seed (initial weights, batch
    order; another CPU's float kernels act the same way).  Each resample draws the units with
    replacement (whole ``groups``, as :func:`group_bootstrap`) and, independently, the seeds with
    replacement, so the interval carries both.

    ``arrays`` maps ``stat``'s argument names to arrays with one row per case: an array of shape
    ``(n_cases, n_seeds)`` holds one column per training seed (predictions, correctness, errors);
    a 1-D array (labels, a seed-independent baseline) is shared by every seed.  All 2-D arrays
    must have the same number of seed columns.  ``stat`` receives the resampled arrays with the
    same layout (2-D ones keep their seed columns) and returns a float.  Resamples where ``stat``
    raises ``ValueError`` are skipped.  With a single seed the interval is over units only and
    ``per_seed`` has one entry.
    """
    arrays = {k: np.asarray(v) for k, v in arrays.items()}
    if not arrays:
        raise ValueError("seed_bootstrap needs at least one array")
    lengths = {k: v.shape[0] for k, v in arrays.items()}
    n = next(iter(lengths.values()))
    if any(m != n for m in lengths.values()):
        raise ValueError(f"the arrays must have one row per case; got lengths {lengths}")
    widths = {k: v.shape[1] for k, v in arrays.items() if v.ndim == 2}
    if not widths:
        raise ValueError("seed_bootstrap needs at least one (n_cases, n_seeds) array")
    n_seeds = next(iter(widths.values()))
    if any(w != n_seeds for w in widths.values()) or n_seeds < 1:
        raise ValueError(f"every 2-D array needs the same number (>= 1) of seed columns; got {widths}")
    groups = np.arange(n) if groups is None else np.asarray(groups)
    if groups.shape[0] != n:
        raise ValueError(f"groups has {groups.shape[0]} entries for {n} cases")

    def pick(rows, cols):
        return {k: (v[rows][:, cols] if v.ndim == 2 else v[rows]) for k, v in arrays.items()}

    every = np.arange(n)
    est = float(stat(**pick(every, np.arange(n_seeds))))
    per_seed = tuple(float(stat(**pick(every, np.array([s])))) for s in range(n_seeds))
    _, inv = np.unique(groups, return_inverse=True)
    order = np.argsort(inv, kind="stable")
    counts = np.bincount(inv)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rng = np.random.default_rng(seed)
    stats = []
    for _ in range(int(n_boot)):
        units = rng.integers(0, counts.size, counts.size)
        rows = order[np.concatenate([np.arange(starts[k], starts[k] + counts[k]) for k in units])]
        cols = rng.integers(0, n_seeds, n_seeds)
        try:
            stats.append(float(stat(**pick(rows, cols))))
        except ValueError:
            continue
    if not stats:
        return SeedInterval(est, float("nan"), float("nan"), per_seed)
    alpha = (1 - level) / 2
    lo, hi = np.quantile(stats, [alpha, 1 - alpha])
    return SeedInterval(est, float(lo), float(hi), per_seed)


def seed_mean_interval(d, level: float = 0.95, n_boot: int = 2000, seed: int = 0) -> dict:
    """Mean of ``d`` over units and training seeds with an interval that includes both variations.

    ``d`` has shape ``(n_units, n_seeds, ...)`` (one row per independent unit, one column per
    training seed; trailing axes, e.g. frequencies, are treated one by one).  The standard error of
    the mean is the spread of a two-level bootstrap that draws the units and, independently, the
    seeds with replacement (as :func:`seed_bootstrap`, whose statistic is here the mean, computed for
    every resample at once as a weighted sum, so trailing axes cost nothing extra); the interval is
    ``mean +- t(level, n_units - 1) * se``.  A Student-t interval on a bootstrap standard error,
    rather than bootstrap percentiles, because the Bonferroni levels used here (99.5 %, 99.97 %)
    put a percentile's tail at a handful of resamples.  With one seed it is the patient-level
    interval (the bootstrap standard error of a mean is ``sqrt((n - 1) / n)`` times the usual one).

    Returns ``{"mean", "low", "high", "se", "per_seed"}``; ``per_seed`` (shape ``(n_seeds, ...)``)
    is each seed's mean over the units.
    """
    from scipy import stats

    d = np.asarray(d, dtype=float)
    if d.ndim < 2:
        raise ValueError(f"seed_mean_interval needs an array (n_units, n_seeds, ...), got shape {d.shape}")
    n_units, n_seeds = d.shape[:2]
    if n_units < 2 or n_seeds < 1:
        raise ValueError(f"seed_mean_interval needs at least two units and one seed, got shape {d.shape}")
    if not np.all(np.isfinite(d)):
        raise ValueError("seed_mean_interval needs finite values")
    flat = d.reshape(n_units, n_seeds, -1)
    rng = np.random.default_rng(seed)
    wu = rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=int(n_boot)).astype(float)
    ws = rng.multinomial(n_seeds, np.full(n_seeds, 1.0 / n_seeds), size=int(n_boot)).astype(float)
    boots = np.einsum("bu,bs,usf->bf", wu, ws, flat, optimize=True) / (n_units * n_seeds)
    mean = flat.mean(axis=(0, 1))
    se = boots.std(axis=0, ddof=1)
    h = stats.t.ppf(0.5 + level / 2, n_units - 1) * se
    shape = d.shape[2:]
    return {"mean": mean.reshape(shape), "low": (mean - h).reshape(shape), "high": (mean + h).reshape(shape),
            "se": se.reshape(shape), "per_seed": d.mean(axis=0)}


def training_seeds(seed: int, n_seeds: int, stride: int) -> list[int]:
    """The training seeds of one run: ``seed + stride * k`` for ``k < n_seeds`` (the first is ``seed``).

    ``stride`` keeps the seeds a single training draws internally (``seed + 1``, ...) apart from the
    next training's; the chapters' study modules each state theirs.
    """
    if int(n_seeds) < 1:
        raise ValueError(f"n_seeds must be >= 1, got {n_seeds!r}")
    return [int(seed) + int(stride) * k for k in range(int(n_seeds))]


def seed_columns(x) -> np.ndarray:
    """``x`` as ``(n_cases, n_seeds)``: a 1-D array (a method without a training seed) becomes one column."""
    x = np.asarray(x)
    if x.ndim == 1:
        return x[:, None]
    if x.ndim != 2:
        raise ValueError(f"expected (n_cases,) or (n_cases, n_seeds), got shape {x.shape}")
    return x
