"""Normalised LMS (NLMS) adaptive FIR filter (Tironi et al. 2025, eqs. 4-7; Diniz 2012, ch. 4).

Equations, in the order of operations for sample ``n`` (``L = n_taps``, ``mu = step_size``,
``eps = regularization``)::

    (1) u[k] = u[k-1]  for k = L-1 .. 1;   u[0] = x(n)          shift the delay line
    (2) y(n) = sum_{k=0}^{L-1} w[k] u[k]                          filter output
    (3) e(n) = d(n) - y(n)                                        a-priori error
    (4) p    = eps + sum_{k=0}^{L-1} u[k] u[k]                    regularised input energy
    (5) g    = mu e(n) / p
    (6) w[k] = w[k] + g u[k]  for k = 0 .. L-1                    weight update

Stability: ``0 < mu < 2`` for any input scale (the normalisation removes the input power).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tremorlab.adaptive.base import MU_GRID, AdaptiveFilter, StabilityError, check_positive, check_taps


def _nlms_step(w, u, x, d, step_size, regularization):
    n_taps = w.shape[0]
    for k in range(n_taps - 1, 0, -1):          # (1)
        u[k] = u[k - 1]
    u[0] = x
    y = 0.0                                     # (2)
    for k in range(n_taps):
        y += w[k] * u[k]
    e = d - y                                   # (3)
    p = regularization                          # (4)
    for k in range(n_taps):
        p += u[k] * u[k]
    g = step_size * e / p                       # (5)
    for k in range(n_taps):                     # (6)
        w[k] += g * u[k]
    return y, e


_nlms_step_jit = njit(cache=True)(_nlms_step)


@njit(cache=True)
def _nlms_kernel(w, u, x, d, step_size, regularization, y, e):
    for i in range(x.shape[0]):
        yi, ei = _nlms_step_jit(w, u, x[i], d[i], step_size, regularization)
        y[i] = yi
        e[i] = ei
        if not (np.isfinite(yi) and np.isfinite(ei)):
            return i
    return -1


def check_nlms_step(algorithm: str, step_size: float) -> None:
    if not 0 < step_size < 2:
        raise StabilityError(f"{algorithm}: step_size={step_size:g} is outside the NLMS stability bound 0 < step_size < 2")


class NLMS(AdaptiveFilter):
    """Normalised LMS adaptive FIR filter.

    Parameters
    ----------
    n_taps : int
        Number of weights ``L``.
    step_size : float
        ``mu`` in (0, 2).
    regularization : float
        ``eps`` > 0 added to the input energy (avoids a division by zero); default 1e-10 as in
        the paper's section on NLMS.

    Attributes
    ----------
    w_ : ndarray, shape (n_taps,)
    n_samples_ : int
    """

    algorithm = "nlms"
    display_name = "NLMS"
    firmware_id = 2
    paper_params = {"step_size": 8e-3, "regularization": 1e-10}  # the paper's Fx-NLMS values

    @classmethod
    def search_grid(cls, mu_grid=MU_GRID, regularization=1e-10, measurement_noise=1e-2):
        return [{"step_size": m, "regularization": regularization} for m in mu_grid if m < 2]

    _param_names = ("n_taps", "step_size", "regularization")

    def __init__(self, n_taps: int, step_size: float, regularization: float = 1e-10):
        self.n_taps = check_taps(self.algorithm, n_taps)
        self.step_size = check_positive(self.algorithm, "step_size", step_size)
        check_nlms_step(self.algorithm, self.step_size)
        self.regularization = check_positive(self.algorithm, "regularization", regularization)
        self.reset()

    def reset(self) -> "NLMS":
        self._w = np.zeros(self.n_taps)
        self._u = np.zeros(self.n_taps)
        self.n_samples_ = 0
        return self

    def _state(self):
        return (self._w, self._u)

    def _scalars(self):
        return (self.step_size, self.regularization)

    _step = staticmethod(_nlms_step)
    _kernel = staticmethod(_nlms_kernel)
