"""Pen-tip kinematics shared by the handwriting chapters (4 and 5).

Everything here works on the **pen-down stretches** of a :class:`~tremorlab.io.PenRecording`
(maximal runs of consecutive samples with the pen on the surface) and never differentiates
across a pen lift.  All functions are vectorised over the whole recording: stretches are
handled with index arithmetic, not with a Python loop over strokes or samples.

Units: positions are in ``rec.xy_unit``; the k-th time derivative is in ``xy_unit / s**k``
(velocity ``unit/s``, acceleration ``unit/s^2``, jerk ``unit/s^3``).

Public API (kept stable for the chapters that build on it)
-----------------------------------------------------------
:func:`pen_down_mask`     which samples touch the surface
:func:`stretches`         ``(start, stop)`` of every run of ``True`` in a mask
:func:`stretch_ids`       stretch number of every pen-down sample
:func:`moving_average`    moving average inside stretches (never across a pen lift)
:func:`block_labels`      which block of ``n`` consecutive pen-down samples of a stretch each sample is in
:func:`block_average`     mean of consecutive, non-overlapping blocks of ``n`` pen-down samples
:func:`rate_of_change`    finite difference ``dv/dt`` between consecutive samples of one stretch
:func:`derivatives`       velocity, acceleration, jerk and their x/y components
:func:`peaks_per_second`  local extrema of a Gaussian-smoothed signal per second
:func:`linear_trend`      least-squares slope of a signal against time
"""

from __future__ import annotations

import numpy as np

from tremorlab.io.types import RecordingError

__all__ = ["pen_down_mask", "stretches", "stretch_ids", "moving_average", "block_labels", "block_average",
           "rate_of_change", "derivatives", "peaks_per_second", "linear_trend", "DERIVATIVE_KEYS"]

#: Keys of :func:`derivatives` that hold kinematic signals (the ``t_*`` and ``stretch_*`` keys hold their time
#: stamps and stretch numbers).
DERIVATIVE_KEYS = ("v", "vx", "vy", "a", "ax", "ay", "j", "jx", "jy")


def pen_down_mask(rec) -> np.ndarray:
    """Boolean mask of the samples with the pen on the surface.

    ``rec.pen_down`` when the device gives it; otherwise ``pressure > 0`` when there is a pressure
    channel; otherwise every sample (a device that only reports contact, such as a touch screen).
    """
    if rec.pen_down is not None:
        return np.asarray(rec.pen_down, dtype=bool)
    if rec.pressure is not None:
        return np.asarray(rec.pressure) > 0
    return np.ones(rec.n_samples, dtype=bool)


def stretches(mask: np.ndarray) -> np.ndarray:
    """``(start, stop)`` index pairs (``stop`` exclusive) of the runs of ``True`` in ``mask``.

    Returns an integer array of shape ``(k, 2)``; ``k = 0`` when the mask is all ``False``.

    Examples
    --------
    >>> stretches(np.array([0, 1, 1, 0, 1], bool)).tolist()
    [[1, 3], [4, 5]]
    """
    m = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]]).astype(np.int8)
    d = np.diff(m)
    return np.stack([np.flatnonzero(d == 1), np.flatnonzero(d == -1)], axis=1).astype(np.int64)


def stretch_ids(mask: np.ndarray, t: np.ndarray | None = None, max_gap_s: float | None = None) -> np.ndarray:
    """Stretch number (0, 1, ...) of each ``True`` sample of ``mask``, in order.

    With ``t`` and ``max_gap_s`` a stretch is also split where consecutive pen-down samples are
    more than ``max_gap_s`` apart (a dropout of the device inside a stroke).
    """
    mask = np.asarray(mask, dtype=bool)
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return np.zeros(0, dtype=np.int64)
    new = np.empty(idx.size, dtype=bool)
    new[0] = True
    new[1:] = np.diff(idx) > 1
    if max_gap_s is not None and t is not None:
        tt = np.asarray(t, dtype=float)[idx]
        new[1:] |= np.diff(tt) > max_gap_s
    return np.cumsum(new) - 1


def moving_average(values: np.ndarray, n: int, ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Centred moving average of ``n`` samples that never crosses a stretch boundary.

    .. math:: \\bar v_i = \\frac{1}{n}\\sum_{k=0}^{n-1} v_{i+k}

    for every window ``i .. i+n-1`` lying inside one stretch (``ids`` equal); windows that would
    cross a boundary are dropped, so each stretch of length ``L`` gives ``max(L - n + 1, 0)``
    values ("valid" mode).  ``values`` may be ``(m,)`` or ``(m, c)``.

    Returns
    -------
    averaged : ndarray
        The averaged values, shape ``(m', ...)``.
    window_ids : ndarray
        The stretch number of each window.
    """
    v = np.asarray(values, dtype=float)
    ids = np.zeros(v.shape[0], dtype=np.int64) if ids is None else np.asarray(ids)
    if n < 1:
        raise ValueError(f"moving-average length n must be >= 1, got {n}")
    if n == 1 or v.shape[0] == 0:
        return v.copy(), ids.copy()
    m = v.shape[0]
    if m < n:
        return v[:0].copy(), ids[:0].copy()
    # Cumulative sums of the mean-removed signal keep the round-off small on long recordings.
    off = v.mean(axis=0)
    c = np.concatenate([np.zeros((1,) + v.shape[1:]), np.cumsum(v - off, axis=0)])
    avg = (c[n:] - c[:-n]) / n + off
    ok = ids[: m - n + 1] == ids[n - 1:]
    return avg[ok], ids[: m - n + 1][ok]


def block_labels(ids: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Block of every sample: consecutive, non-overlapping blocks of ``n`` samples inside each stretch.

    Blocks are counted from the start of each stretch (``ids`` equal and contiguous); a block cut
    short by the end of its stretch is incomplete.  The one labelling behind :func:`block_average`
    and the line bins of :mod:`tremorlab.features.layout`.

    Returns
    -------
    labels : ndarray of int, shape (m,)
        Running number (0, 1, ...) of the complete block each sample belongs to, in order; -1 for
        the samples of an incomplete block.
    block_ids : ndarray, shape (b,)
        Stretch number of each complete block.
    """
    ids = np.asarray(ids)
    if n < 1:
        raise ValueError(f"block length n must be >= 1, got {n}")
    if ids.size == 0:
        return np.zeros(0, np.int64), ids[:0].copy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    pos = np.arange(ids.size) - np.repeat(starts, np.diff(np.r_[starts, ids.size]))
    # block label = (stretch, pos // n); make it a running integer
    key = ids.astype(np.int64) * (ids.size + 1) + pos // n
    new = np.r_[True, key[1:] != key[:-1]]
    label = np.cumsum(new) - 1
    full = np.bincount(label) == n
    number = np.cumsum(full) - 1
    return np.where(full[label], number[label], -1), ids[new][full]


def block_average(values: np.ndarray, n: int, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Means of consecutive, non-overlapping blocks of ``n`` samples inside each stretch.

    A moving average of length ``n`` read every ``n``-th sample, as in the dysgraphia study
    {cite:p}`asselborn2018dysgraphia` ("moving average with n = 10, then every 10th point; a
    measurement is kept only if the pen stayed on the surface for all 10 points").  Blocks are
    counted from the start of each stretch; an incomplete block at the end of a stretch is dropped
    (:func:`block_labels`).

    Parameters
    ----------
    values : ndarray, shape (m,) or (m, c)
        Pen-down samples, in order.
    n : int
        Block length (samples).
    ids : ndarray, shape (m,)
        Stretch number of each sample (:func:`stretch_ids`); a stretch's samples are contiguous.

    Returns
    -------
    means : ndarray, shape (b,) or (b, c)
    block_ids : ndarray, shape (b,)
        Stretch number of each block.
    """
    v = np.asarray(values, dtype=float)
    ids = np.asarray(ids)
    if n < 1:
        raise ValueError(f"block length n must be >= 1, got {n}")
    if v.shape[0] == 0:
        return v[:0].copy(), ids[:0].copy()
    label, block_ids = block_labels(ids, n)
    keep = label >= 0
    flat = v.reshape(v.shape[0], -1)[keep]
    sums = np.stack([np.bincount(label[keep], weights=flat[:, j], minlength=block_ids.size)
                     for j in range(flat.shape[1])], axis=1)
    return (sums / n).reshape((-1,) + v.shape[1:]), block_ids


def rate_of_change(t: np.ndarray, values: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Finite difference between consecutive samples of one stretch.

    .. math:: \\dot v_{i+1/2} = \\frac{v_{i+1} - v_i}{t_{i+1} - t_i}, \\qquad t_{i+1/2} = \\frac{t_i + t_{i+1}}{2}

    only where samples ``i`` and ``i+1`` share a stretch number.

    Returns
    -------
    t_mid, rate, ids_mid
    """
    t = np.asarray(t, dtype=float)
    v = np.asarray(values, dtype=float)
    ids = np.asarray(ids)
    if t.size < 2:
        return t[:0].copy(), v[:0].copy(), ids[:0].copy()
    same = ids[1:] == ids[:-1]
    dt = np.diff(t)[same]
    if (dt <= 0).any():
        raise ValueError("time must be strictly increasing inside a stretch")
    dv = np.diff(v, axis=0)[same]
    rate = dv / (dt if v.ndim == 1 else dt[:, None])
    return 0.5 * (t[1:] + t[:-1])[same], rate, ids[1:][same]


def derivatives(rec, smooth_n: int = 1, max_gap_s: float | None = None) -> dict[str, np.ndarray]:
    """Velocity, acceleration and jerk of the pen tip on the surface.

    The pen-down samples (:func:`pen_down_mask`) are split into stretches (:func:`stretch_ids`);
    inside each stretch ``x`` and ``y`` are optionally smoothed by a moving average of
    ``smooth_n`` samples (:func:`moving_average`, valid mode, time averaged alike) and then
    differentiated by first differences on the real time stamps (:func:`rate_of_change`):

    .. math::

        v_{x} = \\frac{\\Delta x}{\\Delta t},\\; v_y = \\frac{\\Delta y}{\\Delta t},\\;
        a_{x} = \\frac{\\Delta v_x}{\\Delta t},\\; j_{x} = \\frac{\\Delta a_x}{\\Delta t},\\;
        v = \\sqrt{v_x^2 + v_y^2},\\; a = \\sqrt{a_x^2 + a_y^2},\\; j = \\sqrt{j_x^2 + j_y^2}.

    Each difference is taken between consecutive values of one stretch only, and each level is
    stamped at the mid-points of the level below, so a stretch of ``L`` samples gives ``L-1``
    velocities, ``L-2`` accelerations and ``L-3`` jerks (after smoothing: ``L - smooth_n``, ...).
    ``a`` and ``j`` are magnitudes of the acceleration and jerk *vectors* (not the derivative of
    the speed); the components are signed.

    Parameters
    ----------
    rec : PenRecording
    smooth_n : int
        Moving-average length in samples (1: no smoothing).
    max_gap_s : float, optional
        Also split stretches at pen-down time gaps longer than this (device dropouts).

    Returns
    -------
    dict
        ``'vx','vy','v'`` in ``xy_unit/s``, ``'ax','ay','a'`` in ``xy_unit/s^2``,
        ``'jx','jy','j'`` in ``xy_unit/s^3``; their time stamps ``'t_v','t_a','t_j'`` (s) and
        stretch numbers ``'stretch_v','stretch_a','stretch_j'``.  Arrays are empty (never an
        error) when the stretches are too short; a recording without any pen-down sample raises
        :class:`~tremorlab.io.RecordingError`.
    """
    mask = pen_down_mask(rec)
    if not mask.any():
        raise RecordingError(rec.source, "pen_down", "at least one sample with the pen on the surface",
                             "no pen-down sample")
    ids = stretch_ids(mask, rec.t, max_gap_s)
    xy_t = np.stack([rec.x[mask], rec.y[mask], rec.t[mask]], axis=1)
    xy_t, ids = moving_average(xy_t, int(smooth_n), ids)
    t = xy_t[:, 2]
    t_v, vel, id_v = rate_of_change(t, xy_t[:, :2], ids)
    t_a, acc, id_a = rate_of_change(t_v, vel, id_v)
    t_j, jrk, id_j = rate_of_change(t_a, acc, id_a)
    out = {}
    for name, arr in (("v", vel), ("a", acc), ("j", jrk)):
        arr = arr.reshape(-1, 2)
        out[name + "x"], out[name + "y"] = arr[:, 0].copy(), arr[:, 1].copy()
        out[name] = np.hypot(arr[:, 0], arr[:, 1])
    out.update(t_v=t_v, t_a=t_a, t_j=t_j, stretch_v=id_v, stretch_a=id_a, stretch_j=id_j)
    return out


def gaussian_smooth(x: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian filter (standard deviation ``sigma`` samples, truncated at 4 sigma, reflected edges)."""
    from scipy.ndimage import gaussian_filter1d

    x = np.asarray(x, dtype=float)
    if sigma <= 0 or x.size == 0:
        return x.copy()
    return gaussian_filter1d(x, sigma, mode="nearest", truncate=4.0)


def count_extrema(x: np.ndarray) -> int:
    """Number of strict local maxima and minima of ``x`` (plateaus count once)."""
    x = np.asarray(x, dtype=float)
    d = np.diff(x)
    d = d[d != 0]
    if d.size < 2:
        return 0
    s = np.sign(d)
    return int((s[1:] != s[:-1]).sum())


def peaks_per_second(x: np.ndarray, duration_s: float, sigma: float = 1.0, ids: np.ndarray | None = None) -> float:
    """Local maxima and minima of a Gaussian-smoothed signal, per second.

    .. math:: \\text{peaks/s} = \\frac{\\#\\{\\text{local extrema of } G_\\sigma * x\\}}{T}

    ``T`` is ``duration_s`` (for the handwriting features, the pen-down time).  With ``ids``
    (stretch numbers) the signal is smoothed and counted per stretch, so a pen lift does not
    create an extremum.  Returns NaN when ``duration_s`` is not positive.
    """
    if not duration_s > 0:
        return float("nan")
    x = np.asarray(x, dtype=float)
    if ids is None:
        return count_extrema(gaussian_smooth(x, sigma)) / duration_s
    ids = np.asarray(ids)
    if x.size == 0:
        return 0.0
    # smooth per stretch: one filtering of the whole signal with the stretch edges reflected
    # would leak across stretches, so filter each stretch and count sign changes inside it.
    bounds = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1], True])
    total = 0
    for a, b in zip(bounds[:-1], bounds[1:]):  # loop over stretches (tens to hundreds), not samples
        total += count_extrema(gaussian_smooth(x[a:b], sigma))
    return total / duration_s


def linear_trend(t: np.ndarray, x: np.ndarray) -> float:
    """Least-squares slope of ``x`` against ``t`` (units of x per second); NaN with < 2 points."""
    t = np.asarray(t, dtype=float)
    x = np.asarray(x, dtype=float)
    if t.size < 2 or np.ptp(t) == 0:
        return float("nan")
    tc = t - t.mean()
    return float((tc * (x - x.mean())).sum() / (tc * tc).sum())
