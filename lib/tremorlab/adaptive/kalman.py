"""Kalman filter used as an adaptive FIR filter (Tironi et al. 2025, eqs. 20-26; Haykin 2004).

State-space model: the weights are the state and follow a random walk; the desired signal
is the measurement::

    w(n) = w(n-1) + c(n),        c ~ N(0, q I)      (F = I, no control input)
    d(n) = u(n)^T w(n) + v(n),   v ~ N(0, r)        (H = u(n)^T, the regressor)

Equations, in the order of operations for sample ``n`` (``L = n_taps``,
``q = process_noise``, ``r = measurement_noise``; ``P(0) = initial_covariance * I``)::

    (1) u[k] = u[k-1]  for k = L-1 .. 1;   u[0] = x(n)          shift the delay line
    (2) P[i][i] = P[i][i] + q   for i = 0 .. L-1                 predict: P = F P F^T + Q
    (3) y(n) = sum_k w[k] u[k]                                    predicted measurement (w is predicted as itself)
    (4) e(n) = d(n) - y(n)                                        innovation
    (5) pu[i] = sum_j P[i][j] u[j]          for i = 0 .. L-1
    (6) s     = r + sum_i u[i] pu[i]                              innovation variance
    (7) w[i]  = w[i] + (pu[i] / s) e(n)     for i = 0 .. L-1      (k = pu / s is the Kalman gain)
    (8) P[i][j] = P[i][j] - pu[i] pu[j] / s  for all i, j         correct: P = (I - k u^T) P, symmetric form

With ``q = 0`` and ``r = 1`` the recursion is RLS with ``lambda = 1`` and
``P(0) = initial_covariance I`` (tested); ``q > 0`` keeps the gain from vanishing, which is
what lets the filter track a changing tremor.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tremorlab.adaptive.base import MU_GRID, Q_GRID, AdaptiveFilter, check_positive, check_taps


def _kalman_step(w, u, P, pu, x, d, process_noise, measurement_noise):
    n_taps = w.shape[0]
    for k in range(n_taps - 1, 0, -1):          # (1)
        u[k] = u[k - 1]
    u[0] = x
    for i in range(n_taps):                     # (2)
        P[i, i] += process_noise
    y = 0.0                                     # (3)
    for k in range(n_taps):
        y += w[k] * u[k]
    e = d - y                                   # (4)
    for i in range(n_taps):                     # (5)
        acc = 0.0
        for j in range(n_taps):
            acc += P[i, j] * u[j]
        pu[i] = acc
    s = measurement_noise                       # (6)
    for i in range(n_taps):
        s += u[i] * pu[i]
    for i in range(n_taps):                     # (7)
        w[i] += (pu[i] / s) * e
    for i in range(n_taps):                     # (8)
        for j in range(n_taps):
            P[i, j] = P[i, j] - pu[i] * pu[j] / s
    return y, e


_kalman_step_jit = njit(cache=True)(_kalman_step)


@njit(cache=True)
def _kalman_kernel(w, u, P, pu, x, d, process_noise, measurement_noise, y, e):
    for i in range(x.shape[0]):
        yi, ei = _kalman_step_jit(w, u, P, pu, x[i], d[i], process_noise, measurement_noise)
        y[i] = yi
        e[i] = ei
        if not (np.isfinite(yi) and np.isfinite(ei)):
            return i
    return -1


class Kalman(AdaptiveFilter):
    """Kalman filter with the FIR weights as a random-walk state.

    Parameters
    ----------
    n_taps : int
        Number of weights ``L``.
    process_noise : float
        ``q`` >= 0, variance per sample of the random walk of each weight (``Q = q I``).
    measurement_noise : float
        ``r`` > 0, variance of the measurement noise (``R = r``).
    initial_covariance : float
        ``p0`` > 0, ``P(0) = p0 I`` (uncertainty of the zero initial weights).

    Attributes
    ----------
    w_ : ndarray, shape (n_taps,)
    P_ : ndarray, shape (n_taps, n_taps)
        Current error covariance of the weights.
    n_samples_ : int
    """

    algorithm = "kalman"
    display_name = "Kalman"
    firmware_id = 7
    # not published: ours (see chapter 2)
    paper_params = {"process_noise": 1e-5, "measurement_noise": 1e-2, "initial_covariance": 1.0}

    @classmethod
    def search_grid(cls, mu_grid=MU_GRID, regularization=1e-10, measurement_noise=1e-2):
        return [{"process_noise": q, "measurement_noise": measurement_noise, "initial_covariance": 1.0}
                for q in Q_GRID]

    _param_names = ("n_taps", "process_noise", "measurement_noise", "initial_covariance")

    def __init__(self, n_taps: int, process_noise: float = 1e-4, measurement_noise: float = 1e-2,
                 initial_covariance: float = 1.0):
        self.n_taps = check_taps(self.algorithm, n_taps)
        self.process_noise = check_positive(self.algorithm, "process_noise", process_noise, allow_zero=True)
        self.measurement_noise = check_positive(self.algorithm, "measurement_noise", measurement_noise)
        self.initial_covariance = check_positive(self.algorithm, "initial_covariance", initial_covariance)
        self.reset()

    def reset(self) -> "Kalman":
        self._w = np.zeros(self.n_taps)
        self._u = np.zeros(self.n_taps)
        self._P = np.eye(self.n_taps) * self.initial_covariance
        self._pu = np.zeros(self.n_taps)
        self.n_samples_ = 0
        return self

    @property
    def P_(self) -> np.ndarray:
        return self._P.copy()

    def _state(self):
        return (self._w, self._u, self._P, self._pu)

    def _scalars(self):
        return (self.process_noise, self.measurement_noise)

    _step = staticmethod(_kalman_step)
    _kernel = staticmethod(_kalman_kernel)
