"""Fourier regressors and the LMS recursion shared by BMFLC and EBMFLC.

Column layout (fixed, tested): for frequencies ``f_1 .. f_m`` the regressor at time ``t`` is

    x(t) = [sin(2 pi f_1 t), ..., sin(2 pi f_m t), cos(2 pi f_1 t), ..., cos(2 pi f_m t)]

so weight ``r`` (0-based, ``r < m``) multiplies the *sine* of ``f_r`` and weight ``m + r`` the
*cosine* of the same frequency.  Every function here follows that layout; a known pitfall of
public FLC code is to pair a sine weight with a cosine regressor when the weight vector is cut
into bands.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tremorlab._validation import first_nonfinite, positive_finite


def check_signal(x, name: str = "signal") -> np.ndarray:
    """1-D finite float array, or a ValueError naming the first bad sample."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of samples, got shape {x.shape}")
    bad = first_nonfinite(x)
    if bad is not None:
        i = bad[0]
        raise ValueError(f"{name}: sample {i} is {float(x[i])}; every sample must be finite "
                         f"({int((~np.isfinite(x)).sum())} non-finite sample(s) in all)")
    return x


def check_rate(rate_hz, name: str = "sampling_rate_hz") -> float:
    try:
        float(rate_hz)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number in Hz, got {rate_hz!r}") from None
    r = positive_finite(rate_hz)
    if r is None:
        raise ValueError(f"{name} must be a positive finite number in Hz, got {rate_hz!r}")
    return r


def frequency_grid(low_hz: float, high_hz: float, spacing_hz: float, rate_hz: float) -> np.ndarray:
    """``low, low + spacing, ..., high`` (inclusive to rounding), checked against Nyquist."""
    if not (np.isfinite(low_hz) and np.isfinite(high_hz) and np.isfinite(spacing_hz)):
        raise ValueError(f"band ({low_hz}, {high_hz}) Hz and spacing {spacing_hz} Hz must be finite")
    if spacing_hz <= 0:
        raise ValueError(f"spacing_hz must be positive, got {spacing_hz}")
    if not 0 <= low_hz < high_hz:
        raise ValueError(f"band must satisfy 0 <= low < high, got ({low_hz}, {high_hz}) Hz")
    if high_hz >= rate_hz / 2:
        raise ValueError(f"band top {high_hz} Hz must lie below Nyquist ({rate_hz / 2} Hz)")
    n = int(np.floor((high_hz - low_hz) / spacing_hz + 1e-9)) + 1
    return low_hz + spacing_hz * np.arange(n)


def regressors(t: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    """Matrix of regressors, shape (n, 2m): sines first, then cosines (see module docstring)."""
    arg = 2 * np.pi * np.asarray(t, dtype=float)[:, None] * np.asarray(freqs, dtype=float)[None, :]
    return np.concatenate([np.sin(arg), np.cos(arg)], axis=1)


def band_mask(freqs: np.ndarray, low_hz: float, high_hz: float) -> np.ndarray:
    """Boolean mask over the 2m weights selecting the sine AND cosine of every f in [low, high]."""
    m = (freqs >= low_hz - 1e-9) & (freqs <= high_hz + 1e-9)
    return np.concatenate([m, m])


@njit(cache=True)
def lms_fourier(s, k0, dt, omegas, step_size, rho, w, groups, n_groups):
    """Run the FLC-LMS recursion over ``s`` from sample index ``k0``; ``w`` is updated in place.

    For each sample ``k``: ``x_k`` the regressors at ``t = (k0 + k) dt`` (layout of the module
    docstring), the a-priori estimate ``y_k = w_k^T x_k``, the error ``e_k = s_k - y_k`` and
    the update ``w_{k+1} = rho w_k + step_size x_k e_k`` (Veluvolu et al. 2007, eq. of the BMFLC,
    who write ``2 mu``: ``step_size = 2 mu``, the meaning ``step_size`` has in
    :mod:`tremorlab.adaptive` too; ``rho = 1`` is plain LMS, ``rho < 1`` the windowed memory of the
    EBMFLC).

    ``groups[j]`` assigns weight ``j`` to an output group (``-1``: none); the function returns
    ``Y`` (n, n_groups) with ``Y[k, g] = sum_{j in g} w_k[j] x_k[j]`` and the full ``y`` (n,).
    """
    n = s.shape[0]
    m = omegas.shape[0]
    Y = np.zeros((n, n_groups))
    y_all = np.empty(n)
    x = np.empty(2 * m)
    for k in range(n):
        t = (k0 + k) * dt
        y = 0.0
        for r in range(m):
            x[r] = np.sin(omegas[r] * t)
            x[m + r] = np.cos(omegas[r] * t)
        for j in range(2 * m):
            c = w[j] * x[j]
            y += c
            if groups[j] >= 0:
                Y[k, groups[j]] += c
        y_all[k] = y
        g = step_size * (s[k] - y)
        for j in range(2 * m):
            w[j] = rho * w[j] + g * x[j]
    return Y, y_all


@njit(cache=True)
def lms_fourier_adaptive_band(s, k0, dt, omegas, step_size, rho, w, vol_hi, search_lo, search_hi, half_width):
    """FLC-LMS over the full band with the EBMFLC read-out.

    Same recursion as :func:`lms_fourier`.  At each sample, with the a-priori weights:
    voluntary ``v_k = sum_{r < vol_hi} (a_r sin + b_r cos)``; the tremor peak
    ``p_k = argmax_{search_lo <= r < search_hi} a_r^2 + b_r^2`` and the tremor estimate
    ``sum_{|r - p_k| <= half_width, search_lo <= r < search_hi} (a_r sin + b_r cos)``.
    Returns ``v`` (n,), tremor (n,), ``p`` (n,) (frequency index of the peak).
    """
    n = s.shape[0]
    m = omegas.shape[0]
    v_out = np.empty(n)
    t_out = np.empty(n)
    p_out = np.empty(n, dtype=np.int64)
    x = np.empty(2 * m)
    for k in range(n):
        t = (k0 + k) * dt
        for r in range(m):
            x[r] = np.sin(omegas[r] * t)
            x[m + r] = np.cos(omegas[r] * t)
        y = 0.0
        v = 0.0
        best = -1.0
        p = search_lo
        for r in range(m):
            c = w[r] * x[r] + w[m + r] * x[m + r]
            y += c
            if r < vol_hi:
                v += c
            if search_lo <= r < search_hi:
                mag = w[r] * w[r] + w[m + r] * w[m + r]
                if mag > best:
                    best = mag
                    p = r
        lo = max(search_lo, p - half_width)
        hi = min(search_hi - 1, p + half_width)
        tr = 0.0
        for r in range(lo, hi + 1):
            tr += w[r] * x[r] + w[m + r] * x[m + r]
        v_out[k] = v
        t_out[k] = tr
        p_out[k] = p
        g = step_size * (s[k] - y)
        for j in range(2 * m):
            w[j] = rho * w[j] + g * x[j]
    return v_out, t_out, p_out


class StreamingSeparator:
    """Shared streaming interface of BMFLC, EBMFLC and WAKE.

    A subclass implements ``_step(s)`` for a block of samples (continuing from its state) and
    returns ``(voluntary, tremor)``; ``update`` and ``run`` are the same code path, so processing
    a signal sample by sample or at once gives identical outputs.
    """

    def _step(self, s: np.ndarray):  # pragma: no cover - abstract
        raise NotImplementedError

    def update(self, sample: float) -> tuple[float, float]:
        """Process one sample; returns ``(voluntary, tremor)`` estimates for it."""
        s = check_signal(np.atleast_1d(np.asarray(sample, dtype=float)), "sample")
        if s.size != 1:
            raise ValueError(f"update takes one sample, got {s.size}; use run() for arrays")
        v, tr = self._step(s)
        return float(v[0]), float(tr[0])

    def run(self, signal) -> tuple[np.ndarray, np.ndarray]:
        """Process a whole 1-D signal (continuing from the current state).

        Returns
        -------
        voluntary, tremor : ndarray, shape (n,)
        """
        return self._step(check_signal(signal))
