"""Recursive least squares (RLS) adaptive FIR filter (Tironi et al. 2025, eqs. 15-19; Haykin, ch. 10).

Minimises ``sum_i lambda^(n-i) e(i)^2`` exactly at every sample.  Equations, in the order of
operations for sample ``n`` (``L = n_taps``, ``lam = forgetting_factor``; ``P`` is the
inverse of the exponentially weighted input correlation matrix, initialised to
``P(0) = I / delta`` with ``delta = regularization``)::

    (1) u[k] = u[k-1]  for k = L-1 .. 1;   u[0] = x(n)          shift the delay line
    (2) y(n) = sum_k w[k] u[k]                                    filter output
    (3) e(n) = d(n) - y(n)                                        a-priori error
    (4) pu[i] = sum_j P[i][j] u[j]          for i = 0 .. L-1
    (5) den   = lam + sum_i u[i] pu[i]
    (6) w[i]  = w[i] + (pu[i] / den) e(n)   for i = 0 .. L-1      (k = pu / den is the gain)
    (7) P[i][j] = (P[i][j] - pu[i] pu[j] / den) / lam   for all i, j

Eq. (7) is the symmetric form of the covariance update (it keeps ``P`` exactly symmetric;
the textbook form ``P - k u^T P`` drifts and went to NaN after ~1e5 samples at
``lam = 0.999`` in our measurements).  ``pu`` is scratch state.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tremorlab.adaptive.base import LAMBDA_GRID, MU_GRID, AdaptiveFilter, StabilityError, check_positive, check_taps


def _rls_step(w, u, P, pu, x, d, forgetting_factor):
    n_taps = w.shape[0]
    for k in range(n_taps - 1, 0, -1):          # (1)
        u[k] = u[k - 1]
    u[0] = x
    y = 0.0                                     # (2)
    for k in range(n_taps):
        y += w[k] * u[k]
    e = d - y                                   # (3)
    for i in range(n_taps):                     # (4)
        acc = 0.0
        for j in range(n_taps):
            acc += P[i, j] * u[j]
        pu[i] = acc
    den = forgetting_factor                     # (5)
    for i in range(n_taps):
        den += u[i] * pu[i]
    for i in range(n_taps):                     # (6)
        w[i] += (pu[i] / den) * e
    for i in range(n_taps):                     # (7)
        for j in range(n_taps):
            P[i, j] = (P[i, j] - pu[i] * pu[j] / den) / forgetting_factor
    return y, e


_rls_step_jit = njit(cache=True)(_rls_step)


@njit(cache=True)
def _rls_kernel(w, u, P, pu, x, d, forgetting_factor, y, e):
    for i in range(x.shape[0]):
        yi, ei = _rls_step_jit(w, u, P, pu, x[i], d[i], forgetting_factor)
        y[i] = yi
        e[i] = ei
        if not (np.isfinite(yi) and np.isfinite(ei)):
            return i
    return -1


class RLS(AdaptiveFilter):
    """Exponentially weighted RLS adaptive FIR filter.

    Parameters
    ----------
    n_taps : int
        Number of weights ``L``.
    forgetting_factor : float
        ``lambda`` in (0, 1]; the paper uses 0.999.
    regularization : float
        ``delta`` > 0, ``P(0) = I / delta``; the paper uses 0.01.

    Attributes
    ----------
    w_ : ndarray, shape (n_taps,)
    P_ : ndarray, shape (n_taps, n_taps)
        Current inverse correlation matrix.
    n_samples_ : int
    """

    algorithm = "rls"
    display_name = "RLS"
    firmware_id = 6
    paper_params = {"forgetting_factor": 0.999, "regularization": 0.01}

    @classmethod
    def search_grid(cls, mu_grid=MU_GRID, regularization=1e-10, measurement_noise=1e-2):
        return [{"forgetting_factor": lam, "regularization": 0.01} for lam in LAMBDA_GRID]

    _param_names = ("n_taps", "forgetting_factor", "regularization")

    def __init__(self, n_taps: int, forgetting_factor: float = 0.999, regularization: float = 0.01):
        self.n_taps = check_taps(self.algorithm, n_taps)
        lam = float(forgetting_factor)
        if not 0 < lam <= 1:
            raise StabilityError(f"{self.algorithm}: forgetting_factor={lam!r} must satisfy 0 < forgetting_factor <= 1")
        self.forgetting_factor = lam
        self.regularization = check_positive(self.algorithm, "regularization", regularization)
        self.reset()

    def reset(self) -> "RLS":
        self._w = np.zeros(self.n_taps)
        self._u = np.zeros(self.n_taps)
        self._P = np.eye(self.n_taps) / self.regularization
        self._pu = np.zeros(self.n_taps)
        self.n_samples_ = 0
        return self

    @property
    def P_(self) -> np.ndarray:
        return self._P.copy()

    def _state(self):
        return (self._w, self._u, self._P, self._pu)

    def _scalars(self):
        return (self.forgetting_factor,)

    _step = staticmethod(_rls_step)
    _kernel = staticmethod(_rls_kernel)
