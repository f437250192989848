"""Least-mean-square (LMS) adaptive FIR filter (Widrow & Hoff 1960; Tironi et al. 2025, eqs. 1-3).

Equations, in the order of operations for sample ``n`` (``L = n_taps``, ``mu = step_size``;
``u`` is the tap-delay line, ``u[0]`` the newest sample)::

    (1) u[k] = u[k-1]  for k = L-1 .. 1;   u[0] = x(n)          shift the delay line
    (2) y(n) = sum_{k=0}^{L-1} w[k] u[k]                          filter output
    (3) e(n) = d(n) - y(n)                                        a-priori error
    (4) g    = mu e(n)
    (5) w[k] = w[k] + g u[k]  for k = 0 .. L-1                    weight update

Stability: ``0 < mu < 2 / (L sigma_x^2)`` (see :func:`~tremorlab.adaptive.base.lms_step_bound`);
``run`` checks it against the power of the input it is given, and against ``input_power``
when that is passed to the constructor.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tremorlab.adaptive.base import MU_GRID, AdaptiveFilter, StabilityError, check_positive, check_taps, lms_step_bound


def _lms_step(w, u, x, d, step_size):
    n_taps = w.shape[0]
    for k in range(n_taps - 1, 0, -1):          # (1)
        u[k] = u[k - 1]
    u[0] = x
    y = 0.0                                     # (2)
    for k in range(n_taps):
        y += w[k] * u[k]
    e = d - y                                   # (3)
    g = step_size * e                           # (4)
    for k in range(n_taps):                     # (5)
        w[k] += g * u[k]
    return y, e


_lms_step_jit = njit(cache=True)(_lms_step)


@njit(cache=True)
def _lms_kernel(w, u, x, d, step_size, y, e):
    for i in range(x.shape[0]):
        yi, ei = _lms_step_jit(w, u, x[i], d[i], step_size)
        y[i] = yi
        e[i] = ei
        if not (np.isfinite(yi) and np.isfinite(ei)):
            return i
    return -1


def check_lms_step(algorithm: str, step_size: float, n_taps: int, input_power: float) -> None:
    """Raise :class:`StabilityError` when ``step_size`` is not below ``2 / (n_taps * input_power)``."""
    bound = lms_step_bound(n_taps, input_power)
    if not step_size < bound:
        raise StabilityError(
            f"{algorithm}: step_size={step_size:g} is outside the LMS stability bound 0 < step_size < "
            f"2 / (n_taps * input power) = 2 / ({n_taps} * {input_power:.4g}) = {bound:.4g}")


class LMS(AdaptiveFilter):
    """LMS adaptive FIR filter.

    Parameters
    ----------
    n_taps : int
        Number of weights ``L``.
    step_size : float
        ``mu`` > 0.
    input_power : float, optional
        Expected input power ``sigma_x^2``; when given, the step size is checked against the
        stability bound at construction.

    Attributes
    ----------
    w_ : ndarray, shape (n_taps,)
        Current weights.
    n_samples_ : int
        Samples processed since :meth:`reset`.

    Examples
    --------
    >>> f = LMS(n_taps=4, step_size=0.05)
    >>> y, e = f.run(x, d)          # doctest: +SKIP
    """

    algorithm = "lms"
    display_name = "LMS"
    firmware_id = 1
    paper_params = {"step_size": 5e-4}  # not published for plain LMS: the paper's Fx-LMS value

    @classmethod
    def search_grid(cls, mu_grid=MU_GRID, regularization=1e-10, measurement_noise=1e-2):
        return [{"step_size": m} for m in mu_grid]

    _param_names = ("n_taps", "step_size", "input_power")

    def __init__(self, n_taps: int, step_size: float, input_power: float | None = None):
        self.n_taps = check_taps(self.algorithm, n_taps)
        self.step_size = check_positive(self.algorithm, "step_size", step_size)
        self.input_power = None if input_power is None else check_positive(self.algorithm, "input_power", input_power)
        if self.input_power is not None:
            check_lms_step(self.algorithm, self.step_size, self.n_taps, self.input_power)
        self.reset()

    def reset(self) -> "LMS":
        self._w = np.zeros(self.n_taps)
        self._u = np.zeros(self.n_taps)
        self.n_samples_ = 0
        return self

    def check_input(self, x: np.ndarray) -> None:
        check_lms_step(self.algorithm, self.step_size, self.n_taps, float(np.mean(x * x)))

    def _state(self):
        return (self._w, self._u)

    def _scalars(self):
        return (self.step_size,)

    _step = staticmethod(_lms_step)
    _kernel = staticmethod(_lms_kernel)
