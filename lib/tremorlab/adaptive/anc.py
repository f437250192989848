"""Active tremor control simulation: primary path, secondary path, filtered-x loop.

The smart pen of Tironi et al. (2025) measures the tremor with an accelerometer (the
reference ``x``) and drives a vibration motor (the actuator) so that the motion at the pen
tip (the error sensor) is cancelled.  In the z-domain::

    disturbance at the tip   d(n) = (P * x)(n) + v(n)        P: primary path, v: sensor noise
    actuator effect          ys(n) = (S * y)(n)              S: secondary path (motor -> tip)
    residual                 e(n) = d(n) - ys(n)             (paper eq. 9)

The paper does not publish its paths; it states only that the plant is 2 x 1 with a
controller of ``N = 2`` coefficients.  We use short FIR paths with a one-sample actuator
delay (documented, fixed values; see :data:`PRIMARY_PATH`, :data:`SECONDARY_PATH`) and a
2-tap controller.

How each algorithm sits in the loop (:func:`simulate`):

* Fx-LMS, Fx-NLMS, Fx-LMS/NLMS: the standard filtered-x loop of
  :mod:`tremorlab.adaptive.fxlms` (the actuator delay is inside the adaptation loop).
* LMS, NLMS, RLS, Kalman: the *modified filtered-x* arrangement (Bjarnason 1992): the
  filter adapts on the filtered reference ``xf = S^ * x`` against ``d`` (with ``S^ = S`` the
  plant-free reconstruction of ``d`` from ``e`` is exact), so its a-priori error is the
  residual the loop would have with the current weights.  These are the paper's RLS (eqs.
  15-19) and Kalman (eqs. 20-26) equations with the filtered input.

The pen's firmware runs the same two arrangements in its closed loop, sample by sample
(``firmware/lib/tremorpen/tp_controller.h``): there ``d`` is not measured but rebuilt from the
residual, ``d^(n) = e(n) + (S^ * y_a)(n)``; the plain filters step on ``(S^ * d^, d^)`` with
their unchanged equations and the motor is driven by the same weights applied to ``d^``
itself.  Run on ``(d^, e)`` instead, as if ``S`` were a unit gain, RLS and Kalman amplify the
tremor in the loop (see the pen page of the book for the measurement).
"""

from __future__ import annotations

import numpy as np

from tremorlab.adaptive import registry
from tremorlab.adaptive.base import FilterDivergedError, StabilityError
from tremorlab.adaptive.fxlms import filtered_reference

#: Primary path P(z) = z^-1 (1.0 + 0.6 z^-1 + 0.2 z^-2): tremor source -> pen tip (our choice).
PRIMARY_PATH = np.array([0.0, 1.0, 0.6, 0.2])
#: Secondary path S(z) = z^-1 (0.8 + 0.3 z^-1): motor command -> pen tip, one-sample delay (our choice).
SECONDARY_PATH = np.array([0.0, 0.8, 0.3])
#: Controller length (the paper: N = 2).
N_TAPS = 2

FILTERED_X = registry.names(registry.FILTERED_X)
PLAIN = registry.names(registry.PLAIN)
ALGORITHMS = registry.names()


def disturbance(x: np.ndarray, primary_path=PRIMARY_PATH, noise_std: float = 0.0,
                rng: np.random.Generator | None = None) -> np.ndarray:
    """``d = P * x + v`` (causal FIR; ``v`` white Gaussian with ``noise_std``)."""
    x = np.asarray(x, dtype=float)
    d = np.convolve(x, np.asarray(primary_path, float))[: x.size]
    if noise_std > 0:
        if rng is None:
            raise ValueError("disturbance: pass rng (numpy Generator) when noise_std > 0")
        d = d + noise_std * rng.standard_normal(x.size)
    return d


def make_filter(algorithm: str, params: dict, n_taps: int = N_TAPS, secondary_path=SECONDARY_PATH,
                secondary_path_estimate=None):
    """A fresh filter of ``algorithm`` with ``params`` (its constructor's keyword arguments)."""
    return registry.make(algorithm, params, n_taps, secondary_path, secondary_path_estimate)


def simulate(algorithm: str, x: np.ndarray, d: np.ndarray, params: dict, n_taps: int = N_TAPS,
             secondary_path=SECONDARY_PATH, secondary_path_estimate=None, filtered=None) -> np.ndarray:
    """Residual ``e(n)`` of one algorithm controlling disturbance ``d`` from reference ``x``.

    ``filtered`` may pass a precomputed ``S^ * x`` (used by the plain filters) to save work.
    Raises :class:`StabilityError` / :class:`FilterDivergedError` from the filter.
    """
    f = make_filter(algorithm, params, n_taps, secondary_path, secondary_path_estimate)
    if algorithm in FILTERED_X:
        return f.run(x, d)[1]
    if filtered is None:
        est = secondary_path if secondary_path_estimate is None else secondary_path_estimate
        filtered = filtered_reference(x, est)
    return f.run(filtered, d)[1]


def wiener_solution(x: np.ndarray, d: np.ndarray, n_taps: int = N_TAPS, secondary_path=SECONDARY_PATH):
    """Optimal fixed controller ``w_opt = R_f^-1 p_f`` (paper eq. 11) from the sample statistics.

    ``R_f = E[xf xf^T]``, ``p_f = E[xf d]`` with ``xf`` the reference filtered by the true
    secondary path; for a fixed ``w``, ``e = d - w^T xf`` exactly, so this minimises the
    residual power.  Returns ``(w_opt, minimum mean-square residual)``.
    """
    xf = filtered_reference(x, secondary_path)
    n = xf.size
    U = np.stack([np.concatenate([np.zeros(k), xf[: n - k]]) for k in range(n_taps)], axis=1)
    R = U.T @ U / n
    p = U.T @ np.asarray(d, float) / n
    w = np.linalg.solve(R, p)
    e = d - U @ w
    return w, float(np.mean(e * e))


__all__ = ["ALGORITHMS", "FILTERED_X", "FilterDivergedError", "N_TAPS", "PLAIN", "PRIMARY_PATH", "SECONDARY_PATH",
           "StabilityError", "disturbance", "make_filter", "simulate", "wiener_solution"]
