"""Signal processing shared by the chapters: resampling, spectra, band power.

All functions are vectorised numpy/scipy; none loops over samples in Python.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from tremorlab._validation import check_rate, check_time


def resample_uniform(t: np.ndarray, channels: dict[str, np.ndarray], rate_hz: float,
                     source: str = "<memory>") -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Resample irregularly timed channels onto a uniform grid.

    The grid is ``t[0] + k / rate_hz`` for every ``k`` with grid time ``<= t[-1]``.  Float
    channels are linearly interpolated (``numpy.interp`` per column); boolean channels take the
    value of the nearest earlier original sample (zero-order hold), so a pen-up stays a pen-up.

    Parameters
    ----------
    t : ndarray, shape (n,)
        Strictly increasing time in seconds.
    channels : dict of name -> ndarray, shape (n,) or (n, k)
    rate_hz : float
        Target rate; must be positive and finite.

    Returns
    -------
    t_new, channels_new
    """
    check_rate(source, rate_hz)
    t = check_time(source, t)
    n_new = int(np.floor((t[-1] - t[0]) * rate_hz + 1e-9)) + 1
    t_new = t[0] + np.arange(n_new) / rate_hz
    out = {}
    hold = np.clip(np.searchsorted(t, t_new, side="right") - 1, 0, t.size - 1)
    for name, v in channels.items():
        v = np.asarray(v)
        if v.dtype == bool:
            out[name] = v[hold]
        elif v.ndim == 1:
            out[name] = np.interp(t_new, t, v)
        else:
            out[name] = np.stack([np.interp(t_new, t, v[:, j]) for j in range(v.shape[1])], axis=1)
    return t_new, out


def split_at_gaps(t: np.ndarray, max_gap_s: float) -> list[slice]:
    """The gap-free pieces of a time axis: a new piece starts after every step longer than ``max_gap_s``."""
    cuts = np.flatnonzero(np.diff(t) > max_gap_s) + 1
    bounds = np.concatenate([[0], cuts, [np.size(t)]])
    return [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]


def psd(x: np.ndarray, rate_hz: float, nperseg: int | None = None, detrend: str = "constant",
        axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """Welch power spectral density (Hann window, 50 % overlap), one-sided, in units^2/Hz."""
    x = np.asarray(x, dtype=float)
    n = x.shape[axis]
    if nperseg is None:
        nperseg = min(n, max(8, int(2 ** np.floor(np.log2(max(n // 4, 8))))))
    return signal.welch(x, fs=rate_hz, nperseg=min(nperseg, n), detrend=detrend, axis=axis)


def band_power(freqs: np.ndarray, power: np.ndarray, band: tuple[float, float]) -> np.ndarray:
    """Integral of a PSD over ``band`` (trapezoid rule on the bins inside the band)."""
    lo, hi = band
    m = (freqs >= lo) & (freqs <= hi)
    if m.sum() < 2:
        raise ValueError(f"band {band} Hz holds fewer than two frequency bins (resolution {freqs[1] - freqs[0]:.3g} Hz)")
    return np.trapezoid(power[..., m], freqs[m], axis=-1)


def dominant_frequency(freqs: np.ndarray, power: np.ndarray, band: tuple[float, float] | None = None) -> float:
    """Frequency of the largest PSD value, optionally inside ``band``."""
    m = np.ones_like(freqs, dtype=bool) if band is None else (freqs >= band[0]) & (freqs <= band[1])
    return float(freqs[m][np.argmax(power[m])])


def median_frequency(freqs: np.ndarray, power: np.ndarray) -> float:
    """Frequency that splits the spectral power in two equal halves."""
    c = np.cumsum(power)
    if c[-1] <= 0:
        return float("nan")
    return float(np.interp(0.5 * c[-1], c, freqs))


def spectral_bandwidth(freqs: np.ndarray, power: np.ndarray, fraction: float = 0.9) -> float:
    """Width of the smallest central range holding ``fraction`` of the power.

    The range runs from the ``(1 - fraction) / 2`` to the ``(1 + fraction) / 2`` quantile of
    the cumulative spectrum (equal tails), interpolated between bins.
    """
    c = np.cumsum(power)
    if c[-1] <= 0:
        return float("nan")
    c = c / c[-1]
    lo = np.interp((1 - fraction) / 2, c, freqs)
    hi = np.interp((1 + fraction) / 2, c, freqs)
    return float(hi - lo)


def bandpass(x: np.ndarray, rate_hz: float, band: tuple[float, float], order: int = 4, axis: int = -1) -> np.ndarray:
    """Zero-phase Butterworth band-pass (second-order sections, forward-backward)."""
    nyq = rate_hz / 2
    lo, hi = band
    if not 0 < lo < hi < nyq:
        raise ValueError(f"band {band} Hz must satisfy 0 < low < high < Nyquist ({nyq} Hz)")
    sos = signal.butter(order, [lo, hi], btype="bandpass", fs=rate_hz, output="sos")
    return signal.sosfiltfilt(sos, np.asarray(x, dtype=float), axis=axis)
