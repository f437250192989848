"""How large the step sizes of the pen's loop may be: the bound the panel shows beside them.

The firmware adapts its weights with a gradient step ``w += g e u`` (``tp_filters.cpp``). In
the filtered-x algorithms (Fx-LMS, Fx-NLMS, Fx-LMS/NLMS) the error ``e`` is the residual
measured at the sensor, which a weight change reaches only through the secondary path ``S``:
the update works on an error that is ``Δ`` samples old (Elliott & Nelson 1993). Near one
frequency (a tremor is narrowband) the weight error then obeys the characteristic equation of
the LMS algorithm with delayed coefficient adaptation (Long, Ling & Proakis 1989)::

    z^(Δ+1) - z^Δ + μ λ = 0,

whose roots stay inside the unit circle iff ``0 < μ λ < 2 sin(π / (2 (2Δ + 1)))``; ``Δ = 0``
gives the classical ``μ λ < 2``. ``λ`` is the largest eigenvalue of the regressor's correlation
matrix, at most its trace ``L P_r`` (``L`` taps, ``P_r`` the power of the filtered reference),
and at most 1 for the normalised step (the firmware divides by ``ε + L P_r``). So, with
``b(Δ) = 2 sin(π / (2 (2Δ + 1)))``:

* Fx-LMS: ``step_size < b(Δ) / (L P_r)``;
* Fx-NLMS: ``step_size_2 < b(Δ)``;
* Fx-LMS/NLMS (``g = (μ₁ + μ₂ / p) e``): ``step_size · L P_r + step_size_2 < b(Δ)``;
* LMS and NLMS run in the modified filtered-x arrangement, whose error is formed without delay
  (``Δ = 0``): ``step_size < 2 / (L P_f)``, ``step_size_2 < 2``;
* RLS and Kalman have no step size (their gain comes from ``P``).

``Δ`` is the mean delay of the secondary-path estimate ``ŝ`` (its dead time ``sec_delay`` plus
the lag's ``a / (1 - a)``, from the same 16 taps as the firmware), which is how far behind the
error is on average. The bound is a first-order approximation (a lag is not a pure delay, and
the motor saturates): a step near it converges slowly and rings, one beyond it diverges; the
test suite checks on the emulated loop that a step beyond it makes the residual worse than the
motor off, and one well inside it does not.
"""

from __future__ import annotations

import math

import numpy as np

from tremorlab.adaptive import registry

MAX_SEC = 16  # tp::MAX_SEC, the taps of the secondary-path estimate
FILTERED_X = registry.names(registry.FILTERED_X)
MODIFIED_FX = ("lms", "nlms")


def secondary_path_fir(params: dict) -> np.ndarray:
    """``ŝ``: ``sec_delay`` zeros, then ``sec_gain (1 - a) a^j`` with ``a = exp(-1 / (τ fs))``
    (``Controller::rebuild_filter``), ``MAX_SEC`` taps."""
    fs = float(params["sample_rate_hz"])
    d = int(params["sec_delay"])
    a = math.exp(-1000.0 / (float(params["sec_tau_ms"]) * fs))
    k = np.arange(MAX_SEC)
    return np.where(k < d, 0.0, float(params["sec_gain"]) * (1.0 - a) * a ** np.maximum(k - d, 0))


def mean_delay(params: dict) -> float:
    """Mean delay of ``ŝ`` in samples (``Σ k ŝ_k / Σ ŝ_k``); the dead time when the gain is 0."""
    s = secondary_path_fir(params)
    return float((np.arange(s.size) * s).sum() / s.sum()) if s.sum() > 0 else float(params["sec_delay"])


def delayed_lms_bound(delay: float) -> float:
    """``2 sin(π / (2 (2Δ + 1)))``: the largest stable ``μ λ`` of LMS adapting on an error ``Δ``
    samples old (Long, Ling & Proakis 1989); 2 at ``Δ = 0``."""
    return 2.0 * math.sin(math.pi / (2.0 * (2.0 * float(delay) + 1.0)))


def _hp(x: np.ndarray, cutoff_hz: float, fs: float) -> np.ndarray:
    """The firmware's first-order DC blocker ``y = a (y + u - u_prev)``, ``a = exp(-2π fc / fs)``."""
    from scipy.signal import lfilter

    a = math.exp(-2.0 * math.pi * cutoff_hz / fs)
    x = np.asarray(x, float)
    return lfilter([a, -a], [1.0, -a], x - x[0])


def regressor_power(params: dict, x: np.ndarray, algorithm: str) -> float:
    """Power of what the filter adapts on: ``ŝ * x`` (filtered-x) or ``ŝ * HP_dc HP_m x``
    (modified filtered-x), from the telemetry reference ``x`` (g)."""
    x = np.asarray(x, float)
    if x.size < 2 * MAX_SEC:
        raise ValueError(f"regressor power: expected at least {2 * MAX_SEC} samples of x, got {x.size}")
    fs = float(params["sample_rate_hz"])
    if algorithm in MODIFIED_FX:
        x = _hp(_hp(x, float(params["sec_hp_hz"]), fs) if params["sec_hp_hz"] > 0 else x,
                float(params["hp_cutoff_hz"]), fs)
    r = np.convolve(x, secondary_path_fir(params))[MAX_SEC:x.size]
    return float(np.mean(r * r))


def step_size_bounds(algorithm: str, params: dict, x: np.ndarray | None = None) -> dict:
    """Bounds on ``step_size`` and ``step_size_2`` for ``algorithm`` at the pen's ``params``.

    Returns ``{"delay": Δ, "limit": b(Δ), "power": P or None, "step_size": bound or None,
    "step_size_2": bound or None, "text": one line for the panel}``; a bound is None when the
    algorithm does not use that step or when it needs the signal power and ``x`` is None. For
    Fx-LMS/NLMS each bound holds the other step at its current value.
    """
    out = {"delay": 0.0, "limit": 2.0, "power": None, "step_size": None, "step_size_2": None, "text": ""}
    L = int(params["n_taps"])
    if algorithm in ("rls", "kalman", "off"):
        out["text"] = f"{algorithm}: no step size (nothing to bound)"
        return out
    fx = algorithm in FILTERED_X
    delay = mean_delay(params) if fx else 0.0
    b = delayed_lms_bound(delay)
    out.update(delay=delay, limit=b)
    p = None
    if x is not None and np.asarray(x).size >= 2 * MAX_SEC:
        p = regressor_power(params, x, algorithm)
        out["power"] = p
    mu1, mu2 = float(params["step_size"]), float(params["step_size_2"])
    uses1 = algorithm in ("lms", "fxlms", "fxlms_nlms")
    uses2 = algorithm in ("nlms", "fxnlms", "fxlms_nlms")
    if uses2:
        out["step_size_2"] = max(0.0, b - (mu1 * L * p if (algorithm == "fxlms_nlms" and p) else 0.0))
    if uses1 and p and p > 0:
        out["step_size"] = max(0.0, (b - (mu2 if algorithm == "fxlms_nlms" else 0.0)) / (L * p))
    where = f"delay Δ = {delay:.1f} samples" if fx else "no delay in the update"
    parts = []
    if uses1:
        parts.append(f"step_size < {_fmt(out['step_size'])}" if out["step_size"] is not None
                     else "step_size: bound needs telemetry (signal power)")
    if uses2:
        parts.append(f"step_size_2 < {_fmt(out['step_size_2'])}")
    out["text"] = f"stable if {' and '.join(parts)} ({algorithm}, L = {L}, {where})"
    return out


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def naive_update_eigenvalues(x: np.ndarray, params: dict) -> np.ndarray:
    """Eigenvalues of ``R^{-1} E[u (S u)^T]``: the mean update of a filter that adapts on the measured
    residual with the reference itself as regressor (as if the motor acted at once, with unit gain).

    ``u`` is the reference ``x`` (the telemetry's ``x``, what the filter is fed) in a delay line of
    ``n_taps``; ``S u`` is ``x`` through the secondary path, taken equal to its estimate ``ŝ``
    (:func:`secondary_path_fir`); ``R = E[u u^T]``.  RLS and Kalman follow ``R^{-1} E[u (S u)^T]``,
    LMS and NLMS ``E[u (S u)^T]``: an eigenvalue with a negative real part is a direction in which the
    weights move away from the optimum.  Sorted by real part, largest first.
    """
    x = np.asarray(x, float)
    taps = int(params["n_taps"])
    if x.ndim != 1 or x.size < 10 * (taps + MAX_SEC):
        raise ValueError(f"naive_update_eigenvalues: expected a 1-D reference of at least {10 * (taps + MAX_SEC)} "
                         f"samples, got shape {x.shape}")
    u = x - x.mean()
    su = np.convolve(u, secondary_path_fir(params))[:u.size]
    n, start = u.size, MAX_SEC + taps - 1  # rows whose delay lines and path output have a full history
    U = np.stack([u[start - k:n - k] for k in range(taps)], axis=1)
    V = np.stack([su[start - k:n - k] for k in range(taps)], axis=1)
    ev = np.linalg.eigvals(np.linalg.solve(U.T @ U, U.T @ V))
    return ev[np.argsort(-ev.real, kind="stable")]
