"""Filtered-x LMS family for active tremor control: Fx-LMS, Fx-NLMS and the combined Fx-LMS/NLMS.

The three algorithms share one step function (so one firmware routine serves all three);
they differ only in the two step sizes: Fx-LMS uses ``mu1`` alone, Fx-NLMS ``mu2`` alone and
Fx-LMS/NLMS both.

Setting (Tironi et al. 2025, eqs. 8-14; Widrow et al. 1975; Ardekani & Abdulla 2010): the
controller ``W`` (``L`` taps) drives the actuator; its output reaches the error sensor through
the *secondary path* ``S`` (FIR taps ``s``, length ``M``); the sensor sees the disturbance
``d(n)`` (the reference after the *primary path* ``P``, see :mod:`tremorlab.adaptive.anc`)
minus the actuator's contribution.  The weights adapt on the reference filtered by the
secondary-path *estimate* ``S^`` (taps ``s_hat``, length ``M^``).  The simulated plant
``S`` is part of the step so that golden vectors capture the whole loop.

Equations, in the order of operations for sample ``n`` (``K = max(L, M^)``; every buffer
holds its newest value at index 0)::

    (1) xb[k] = xb[k-1]  for k = K-1 .. 1;   xb[0] = x(n)        reference delay line
    (2) y(n)  = sum_{k=0}^{L-1} w[k] xb[k]                        controller (actuator) output
    (3) yb[k] = yb[k-1]  for k = M-1 .. 1;   yb[0] = y(n)         actuator delay line
    (4) ys(n) = sum_{k=0}^{M-1} s[k] yb[k]                        actuator effect at the sensor
    (5) e(n)  = d(n) - ys(n)                                      residual at the sensor (paper eq. 9)
    (6) xf(n) = sum_{k=0}^{M^-1} s_hat[k] xb[k]                   filtered reference (paper eq. 12)
    (7) fb[k] = fb[k-1]  for k = L-1 .. 1;   fb[0] = xf(n)        filtered-reference delay line
    (8) p     = eps + sum_{k=0}^{L-1} fb[k] fb[k]                 its regularised energy
    (9) g     = (mu1 + mu2 / p) e(n)                              combined step
    (10) w[k] = w[k] + g fb[k]  for k = 0 .. L-1                  weight update (paper eq. 14)

* Fx-LMS:      ``mu2 = 0`` so (9) is ``g = mu1 e(n)``  (the paper's eq. 14).
* Fx-NLMS:     ``mu1 = 0`` so (9) is ``g = mu2 e(n) / (eps + ||xf||^2)``.
* Fx-LMS/NLMS: both.  The paper takes this hybrid from its reference 15 (Araujo et al. 2023),
  where the control loop keeps a plain LMS step and normalisation is applied only on the
  filtered (secondary-path) branch.  The text available to us does not print that equation,
  so we implement the hybrid as the sum of an unnormalised step ``mu1`` and a normalised step
  ``mu2`` on the filtered reference, eq. (9): with ``mu2 = 0`` it is Fx-LMS, with ``mu1 = 0``
  Fx-NLMS, matching the paper's use of two step sizes ``mu1, mu2``.

Stability: the filtered-x bound used here is that of LMS on the filtered reference,
``mu1 < (2 - mu2) / (L sigma_xf^2)`` and ``0 <= mu2 < 2`` (necessary, not sufficient: the
secondary-path delay lowers the true bound; divergence is then caught per sample).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tremorlab.adaptive.base import (FILTERED_X, MU_GRID, AdaptiveFilter, StabilityError, check_fir, check_positive,
                                     check_taps, lms_step_bound)


def _fx_step(w, xb, yb, fb, s, s_hat, x, d, mu1, mu2, regularization):
    n_taps = w.shape[0]
    n_ref = xb.shape[0]
    n_s = yb.shape[0]
    n_sh = s_hat.shape[0]
    for k in range(n_ref - 1, 0, -1):           # (1)
        xb[k] = xb[k - 1]
    xb[0] = x
    y = 0.0                                     # (2)
    for k in range(n_taps):
        y += w[k] * xb[k]
    for k in range(n_s - 1, 0, -1):             # (3)
        yb[k] = yb[k - 1]
    yb[0] = y
    ys = 0.0                                    # (4)
    for k in range(n_s):
        ys += s[k] * yb[k]
    e = d - ys                                  # (5)
    xf = 0.0                                    # (6)
    for k in range(n_sh):
        xf += s_hat[k] * xb[k]
    for k in range(n_taps - 1, 0, -1):          # (7)
        fb[k] = fb[k - 1]
    fb[0] = xf
    p = regularization                          # (8)
    for k in range(n_taps):
        p += fb[k] * fb[k]
    g = (mu1 + mu2 / p) * e                     # (9)
    for k in range(n_taps):                     # (10)
        w[k] += g * fb[k]
    return y, e


_fx_step_jit = njit(cache=True)(_fx_step)


@njit(cache=True)
def _fx_kernel(w, xb, yb, fb, s, s_hat, x, d, mu1, mu2, regularization, y, e):
    for i in range(x.shape[0]):
        yi, ei = _fx_step_jit(w, xb, yb, fb, s, s_hat, x[i], d[i], mu1, mu2, regularization)
        y[i] = yi
        e[i] = ei
        if not (np.isfinite(yi) and np.isfinite(ei)):
            return i
    return -1


def filtered_reference(x: np.ndarray, secondary_path_estimate: np.ndarray) -> np.ndarray:
    """``xf = S^ * x`` (causal FIR filtering, same length as ``x``), eq. (6) over a whole signal."""
    return np.convolve(np.asarray(x, float), np.asarray(secondary_path_estimate, float))[: len(x)]


class _FilteredX(AdaptiveFilter):
    """Shared machinery of the three filtered-x filters (see the module docstring)."""

    arrangement = FILTERED_X

    _mu1 = 0.0
    _mu2 = 0.0
    regularization = 1e-10

    def _init_paths(self, n_taps, secondary_path, secondary_path_estimate):
        self.n_taps = check_taps(self.algorithm, n_taps)
        self.secondary_path = check_fir(self.algorithm, "secondary_path", secondary_path)
        est = secondary_path if secondary_path_estimate is None else secondary_path_estimate
        self.secondary_path_estimate = check_fir(self.algorithm, "secondary_path_estimate", est)

    def reset(self):
        self._w = np.zeros(self.n_taps)
        self._xb = np.zeros(max(self.n_taps, self.secondary_path_estimate.size))
        self._yb = np.zeros(self.secondary_path.size)
        self._fb = np.zeros(self.n_taps)
        self.n_samples_ = 0
        return self

    def _state(self):
        return (self._w, self._xb, self._yb, self._fb, self.secondary_path, self.secondary_path_estimate)

    def _scalars(self):
        return (self._mu1, self._mu2, self.regularization)

    def _check_bound(self, filtered_power: float) -> None:
        if not 0 <= self._mu2 < 2:
            raise StabilityError(f"{self.algorithm}: the normalised step size {self._mu2:g} is outside 0 <= mu2 < 2")
        if self._mu1 > 0:
            bound = (2.0 - self._mu2) / 2.0 * lms_step_bound(self.n_taps, filtered_power)
            if not self._mu1 < bound:
                raise StabilityError(
                    f"{self.algorithm}: step size mu1={self._mu1:g} is outside the filtered-x LMS stability bound "
                    f"0 < mu1 < (2 - mu2) / (n_taps * filtered-reference power) = (2 - {self._mu2:g}) / "
                    f"({self.n_taps} * {filtered_power:.4g}) = {bound:.4g}")

    def check_input(self, x: np.ndarray) -> None:
        xf = filtered_reference(x, self.secondary_path_estimate)
        self._check_bound(float(np.mean(xf * xf)))

    _step = staticmethod(_fx_step)
    _kernel = staticmethod(_fx_kernel)


class FxLMS(_FilteredX):
    """Filtered-x LMS (eq. 9 with ``mu2 = 0``).

    Parameters
    ----------
    n_taps : int
        Controller length ``L`` (the paper: ``N = 2``).
    step_size : float
        ``mu1`` > 0.
    secondary_path : array_like
        FIR taps of the true secondary path ``S`` (simulated plant).
    secondary_path_estimate : array_like, optional
        FIR taps of ``S^``; default: equal to ``secondary_path``.
    input_power : float, optional
        Expected power of the *filtered* reference; when given, the bound is checked at once.
    """

    algorithm = "fxlms"
    display_name = "Fx-LMS"
    firmware_id = 3
    paper_params = {"step_size": 5e-4}

    @classmethod
    def search_grid(cls, mu_grid=MU_GRID, regularization=1e-10, measurement_noise=1e-2):
        return [{"step_size": m} for m in mu_grid]

    _param_names = ("n_taps", "step_size", "secondary_path", "secondary_path_estimate", "input_power")

    def __init__(self, n_taps, step_size, secondary_path, secondary_path_estimate=None, input_power=None):
        self._init_paths(n_taps, secondary_path, secondary_path_estimate)
        self.step_size = self._mu1 = check_positive(self.algorithm, "step_size", step_size)
        self.input_power = None if input_power is None else check_positive(self.algorithm, "input_power", input_power)
        if self.input_power is not None:
            self._check_bound(self.input_power)
        self.reset()


class FxNLMS(_FilteredX):
    """Filtered-x normalised LMS (eq. 9 with ``mu1 = 0``).

    Parameters
    ----------
    n_taps, secondary_path, secondary_path_estimate : see :class:`FxLMS`
    step_size : float
        ``mu2`` in (0, 2).
    regularization : float
        ``eps`` > 0 added to the filtered-reference energy.
    """

    algorithm = "fxnlms"
    display_name = "Fx-NLMS"
    firmware_id = 4
    paper_params = {"step_size": 8e-3, "regularization": 1e-10}

    @classmethod
    def search_grid(cls, mu_grid=MU_GRID, regularization=1e-10, measurement_noise=1e-2):
        return [{"step_size": m, "regularization": regularization} for m in mu_grid if m < 2]

    _param_names = ("n_taps", "step_size", "secondary_path", "secondary_path_estimate", "regularization")

    def __init__(self, n_taps, step_size, secondary_path, secondary_path_estimate=None, regularization=1e-10):
        self._init_paths(n_taps, secondary_path, secondary_path_estimate)
        self.step_size = self._mu2 = check_positive(self.algorithm, "step_size", step_size)
        self.regularization = check_positive(self.algorithm, "regularization", regularization)
        self._check_bound(0.0)
        self.reset()


class FxLMSNLMS(_FilteredX):
    """Combined filtered-x LMS/NLMS of Tironi et al. (2025) after Araujo et al. (2023), eq. (9).

    Parameters
    ----------
    n_taps, secondary_path, secondary_path_estimate : see :class:`FxLMS`
    lms_step_size : float
        ``mu1`` > 0 (unnormalised part).
    nlms_step_size : float
        ``mu2`` in (0, 2) (normalised part).
    regularization : float
        ``eps`` > 0.
    """

    algorithm = "fxlms_nlms"
    display_name = "Fx-LMS/NLMS"
    firmware_id = 5
    paper_params = {"lms_step_size": 5e-3, "nlms_step_size": 8e-3, "regularization": 1e-10}

    @classmethod
    def search_grid(cls, mu_grid=MU_GRID, regularization=1e-10, measurement_noise=1e-2):
        """mu1 x mu2."""
        return [{"lms_step_size": a, "nlms_step_size": b, "regularization": regularization}
                for a in mu_grid for b in mu_grid if b < 2]

    _param_names = ("n_taps", "lms_step_size", "nlms_step_size", "secondary_path", "secondary_path_estimate",
                    "regularization")

    def __init__(self, n_taps, lms_step_size, nlms_step_size, secondary_path, secondary_path_estimate=None,
                 regularization=1e-10):
        self._init_paths(n_taps, secondary_path, secondary_path_estimate)
        self.lms_step_size = self._mu1 = check_positive(self.algorithm, "lms_step_size", lms_step_size)
        self.nlms_step_size = self._mu2 = check_positive(self.algorithm, "nlms_step_size", nlms_step_size)
        self.regularization = check_positive(self.algorithm, "regularization", regularization)
        self._check_bound(0.0)
        self.reset()
