"""Evaluation of tremor separation as Shahtalebi et al. (2020) report it ("Results").

* :func:`window_mse`: the paper's MSE (Eq. 4) per window, on the [0, 1]-scaled signals (the
  paper calls it "normalized MSE": the signals, not the error, are normalised).
* :func:`run_filter_windows`: an adaptive comparator (BMFLC, EBMFLC, WAKE) run afresh over each
  window's run-in and window, its voluntary estimate kept for the scored part.
* :func:`compare_methods`: one-way ANOVA over the methods' per-window errors, each method's mean
  with its 95 % normal (Z) interval, and pairwise two-sample Z-tests (Table 3 / Fig. 6).
* :func:`spectra_test`: mean spectrum magnitude of inputs and outputs with 95 % Z intervals and a
  per-frequency two-sample Z-test p-value (Fig. 7).
* :func:`sinusoid_lead_ms`: lead of an output over a pure sinusoidal input, by least-squares
  phase fits (Fig. 8).
* :func:`spectrogram`: short-time PSD with the paper's FFT window of 50 and overlap of 45 (Fig. 5).
* :func:`lowpass_estimate`: a plain Butterworth low-pass as a voluntary-motion estimator (causal or
  zero-phase), the baseline every separator should beat.
* :func:`group_means`, :func:`t_interval`: per-patient means of per-window errors and a t interval
  over patients, so that a comparison resamples the independent units, not the windows.

The window-level tests (:func:`compare_methods`, :func:`z_test`, the ``p`` of :func:`spectra_test`)
follow the paper's procedure; windows of one patient are not independent, so the chapter's
verdicts rest on patient-level intervals instead.
"""

from __future__ import annotations

from itertools import combinations
from typing import Callable

import numpy as np
from scipy import signal as sps
from scipy import stats

Z95 = float(stats.norm.ppf(0.975))


def window_mse(estimate, truth) -> np.ndarray:
    """Mean squared error of each row (window): ``mean_t (truth - estimate)^2``."""
    estimate, truth = np.asarray(estimate, float), np.asarray(truth, float)
    if estimate.shape != truth.shape:
        raise ValueError(f"estimate {estimate.shape} and truth {truth.shape} differ in shape")
    return np.mean((truth - estimate) ** 2, axis=-1)


def run_filter_windows(make_filter: Callable[[], object], inputs: np.ndarray, run_in: int) -> np.ndarray:
    """Voluntary estimates of a fresh filter per window; returns the part after ``run_in``.

    ``inputs`` (n, run_in + window); the filter sees the whole row (its run-in lets it converge)
    and its estimate for samples ``run_in ..`` is returned, shape (n, window).
    """
    inputs = np.asarray(inputs, dtype=float)
    out = np.empty((inputs.shape[0], inputs.shape[1] - run_in))
    for i, row in enumerate(inputs):
        v, _ = make_filter().run(row)
        out[i] = v[run_in:]
    return out


def mean_ci(x) -> tuple[float, float, float]:
    """Mean and its 95 % normal interval ``mean +- 1.96 sd / sqrt(n)``."""
    x = np.asarray(x, dtype=float)
    m = float(np.mean(x))
    h = Z95 * float(np.std(x, ddof=1)) / np.sqrt(x.size) if x.size > 1 else float("nan")
    return m, m - h, m + h


def z_test(x, y) -> tuple[float, float]:
    """Two-sample Z-test of equal means (large samples): ``(z, two-sided p)``."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    se = np.sqrt(np.var(x, ddof=1) / x.size + np.var(y, ddof=1) / y.size)
    if se == 0:
        return (0.0, 1.0) if np.mean(x) == np.mean(y) else (float("inf"), 0.0)
    z = float((np.mean(x) - np.mean(y)) / se)
    return z, float(2 * stats.norm.sf(abs(z)))


def compare_methods(errors: dict[str, np.ndarray]) -> dict:
    """ANOVA, means with 95 % intervals and pairwise Z-tests over per-window errors."""
    names = list(errors)
    if len(names) < 2:
        raise ValueError("compare_methods needs at least two methods")
    f, p = stats.f_oneway(*[np.asarray(errors[n], float) for n in names])
    means = {n: dict(zip(("mean", "low", "high"), mean_ci(errors[n]))) for n in names}
    pairs = []
    for a, b in combinations(names, 2):
        z, pz = z_test(errors[a], errors[b])
        ia, ib = means[a], means[b]
        disjoint = ia["high"] < ib["low"] or ib["high"] < ia["low"]
        pairs.append({"a": a, "b": b, "z": z, "p": pz, "intervals_disjoint": bool(disjoint)})
    return {"anova_F": float(f), "anova_p": float(p), "means": means, "pairs": pairs}


def spectra_test(inputs: np.ndarray, outputs: np.ndarray, rate_hz: float) -> dict:
    """Per-frequency comparison of input and output magnitude spectra (DC left out).

    Returns ``freqs``, ``mean_in``, ``mean_out``, their 95 % half-widths ``ci_in``/``ci_out``,
    standard deviations ``sd_in``/``sd_out`` and the two-sample Z-test ``p`` per frequency.
    """
    a_in = np.abs(np.fft.rfft(np.asarray(inputs, float), axis=-1))[:, 1:]
    a_out = np.abs(np.fft.rfft(np.asarray(outputs, float), axis=-1))[:, 1:]
    n = a_in.shape[0]
    freqs = np.fft.rfftfreq(inputs.shape[-1], 1.0 / rate_hz)[1:]
    sd_in, sd_out = a_in.std(axis=0, ddof=1), a_out.std(axis=0, ddof=1)
    se = np.sqrt(sd_in ** 2 / n + sd_out ** 2 / a_out.shape[0])
    z = np.divide(a_in.mean(0) - a_out.mean(0), se, out=np.zeros_like(se), where=se > 0)
    return {"freqs": freqs, "mean_in": a_in.mean(0), "mean_out": a_out.mean(0),
            "ci_in": Z95 * sd_in / np.sqrt(n), "ci_out": Z95 * sd_out / np.sqrt(n),
            "sd_in": sd_in, "sd_out": sd_out, "p": 2 * stats.norm.sf(np.abs(z))}


def _phase(x: np.ndarray, f: float, rate_hz: float) -> float:
    t = np.arange(x.size) / rate_hz
    A = np.column_stack([np.sin(2 * np.pi * f * t), np.cos(2 * np.pi * f * t), np.ones_like(t)])
    c, *_ = np.linalg.lstsq(A, x, rcond=None)
    return float(np.arctan2(c[1], c[0]))          # x ~ r sin(2 pi f t + phase)


def sinusoid_lead_ms(respond: Callable[[np.ndarray], np.ndarray], freqs_hz, rate_hz: float = 100.0,
                     n_samples: int = 400, amplitude: float = 0.25, offset: float = 0.5,
                     skip: int = 100) -> np.ndarray:
    """Lead (ms, positive = output ahead of input) of ``respond(x)`` for pure sinusoids.

    For each frequency, ``x = offset + amplitude sin(2 pi f t)``; the phases of input and output
    are least-squares fits over samples ``skip ..`` (past the start-up transient); the lead is
    the phase difference (wrapped to (-pi, pi]) over ``2 pi f``.
    """
    leads = []
    t = np.arange(n_samples) / rate_hz
    for f in np.atleast_1d(freqs_hz):
        x = offset + amplitude * np.sin(2 * np.pi * f * t)
        y = np.asarray(respond(x), dtype=float)
        d = _phase(y[skip:], f, rate_hz) - _phase(x[skip:], f, rate_hz)
        d = (d + np.pi) % (2 * np.pi) - np.pi
        leads.append(1000.0 * d / (2 * np.pi * f))
    return np.array(leads)


def spectrogram(x, rate_hz: float = 100.0, nperseg: int = 50, noverlap: int = 45):
    """Short-time PSD (Hann window of ``nperseg`` samples, ``noverlap`` overlap): f, t, Sxx."""
    return sps.spectrogram(np.asarray(x, float), fs=rate_hz, nperseg=nperseg, noverlap=noverlap)


def lowpass_estimate(inputs, cutoff_hz: float, rate_hz: float, *, causal: bool, order: int = 4) -> np.ndarray:
    """Voluntary estimate by a Butterworth low-pass of each row (``order``, cut-off ``cutoff_hz``).

    ``causal``: a forward filter started in its steady state for the row's first sample (what an
    online filter can do); otherwise zero-phase (forward and backward, offline only).
    """
    x = np.asarray(inputs, dtype=float)
    if not 0 < cutoff_hz < rate_hz / 2:
        raise ValueError(f"cutoff_hz must lie in (0, {rate_hz / 2}), got {cutoff_hz}")
    sos = sps.butter(int(order), float(cutoff_hz), fs=float(rate_hz), output="sos")
    if not causal:
        return sps.sosfiltfilt(sos, x, axis=-1)
    x2 = np.atleast_2d(x)
    zi = sps.sosfilt_zi(sos)[:, None, :] * x2[:, 0][None, :, None]
    y, _ = sps.sosfilt(sos, x2, axis=-1, zi=zi)
    return y.reshape(x.shape)


def group_means(values, groups) -> tuple[np.ndarray, np.ndarray]:
    """The mean of ``values`` within each group: ``(group labels sorted, means)``."""
    values, groups = np.asarray(values, dtype=float), np.asarray(groups)
    if values.shape[0] != groups.shape[0]:
        raise ValueError(f"{values.shape[0]} values but {groups.shape[0]} group labels")
    labels, inv = np.unique(groups, return_inverse=True)
    sums = np.zeros((labels.size,) + values.shape[1:])
    np.add.at(sums, inv, values)
    return labels, sums / np.bincount(inv, minlength=labels.size).reshape((-1,) + (1,) * (values.ndim - 1))


def t_interval(x, level: float = 0.95, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and its two-sided Student-t interval at ``level`` over the independent units on ``axis``."""
    x = np.asarray(x, dtype=float)
    n = x.shape[axis]
    if n < 2:
        raise ValueError("a t interval needs at least two units")
    m = x.mean(axis=axis)
    h = stats.t.ppf(0.5 + level / 2, n - 1) * x.std(axis=axis, ddof=1) / np.sqrt(n)
    return m, m - h, m + h
