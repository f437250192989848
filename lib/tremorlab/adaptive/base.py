"""The streaming adaptive-filter contract shared by the seven filters of chapter 2.

Every filter holds its whole state in a few float64 numpy arrays and advances it with one
*step function* written with plain scalar loops (no vector operations), so that the
firmware can port it line by line.  The same step function is used twice:

* :meth:`AdaptiveFilter.update` calls it as ordinary Python, one sample at a time (what
  the pen runs);
* :meth:`AdaptiveFilter.run` calls a numba-compiled loop over the *same* source, so the
  arithmetic is identical (the tests check ``update`` and ``run`` agree exactly).

Conventions (for every filter)
------------------------------
* ``x`` is the newest reference sample; the filter keeps its own tap-delay line
  ``u = [x(n), x(n-1), ..., x(n-L+1)]`` (index 0 is the newest sample).
* ``update(x, d)`` returns ``(y, e)``: the filter output and the a-priori error
  ``e(n) = d(n) - (output seen at the error sensor)``.
* The weights after the last sample are ``w_`` (shape ``(n_taps,)``).
* A non-finite output stops the filter with :class:`FilterDivergedError` naming the
  sample index; outputs are never silently NaN.
* Parameters outside their stability range raise :class:`StabilityError` stating the bound.

numba is imported by the filter modules only, never by ``import tremorlab``.
"""

from __future__ import annotations

import math

import numpy as np

from tremorlab._validation import first_nonfinite, is_positive_int, positive_finite

#: How a filter sits in the active-control loop (:mod:`tremorlab.adaptive.anc`): ``PLAIN`` filters
#: step on ``(x, d)`` (in the loop: the filtered reference, Bjarnason's modified filtered-x);
#: ``FILTERED_X`` filters hold the secondary path and step on the reference itself.
PLAIN, FILTERED_X = "plain", "filtered-x"
ARRANGEMENTS = (PLAIN, FILTERED_X)

#: The step-size grid of the paper: {1, 2, ..., 9} x 10^k for k = -4 .. -1, and 1.
MU_GRID = tuple(sorted({round(m * 10.0**k, 12) for k in range(-4, 0) for m in range(1, 10)} | {1.0}))
#: Forgetting factors tried for RLS in the fair comparison.
LAMBDA_GRID = (0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9999, 1.0)
#: Process-noise variances tried for the Kalman filter in the fair comparison.
Q_GRID = tuple(10.0**k for k in range(-9, 0))


class StabilityError(ValueError):
    """A parameter outside the range in which the algorithm is stable (the message states the bound)."""


class FilterDivergedError(FloatingPointError):
    """The filter's output became non-finite; ``index`` is the sample at which it happened."""

    def __init__(self, algorithm: str, index: int, what: str = "output"):
        self.algorithm = algorithm
        self.index = int(index)
        super().__init__(f"{algorithm}: the {what} became non-finite at sample {index}; the filter diverged "
                         f"(reduce the step size or check the input scale)")


def check_positive(algorithm: str, name: str, value: float, allow_zero: bool = False) -> float:
    value = float(value)
    if positive_finite(value, allow_zero) is None:
        raise StabilityError(f"{algorithm}: {name} must be a finite number {'>=' if allow_zero else '>'} 0, got {value!r}")
    return value


def check_taps(algorithm: str, n_taps) -> int:
    if not is_positive_int(n_taps):
        raise ValueError(f"{algorithm}: n_taps must be a positive integer, got {n_taps!r}")
    return int(n_taps)


def check_fir(algorithm: str, name: str, taps) -> np.ndarray:
    taps = np.asarray(taps, dtype=float)
    if taps.ndim != 1 or taps.size < 1 or first_nonfinite(taps) is not None:
        raise ValueError(f"{algorithm}: {name} must be a 1-D array of finite FIR taps, got shape {taps.shape}")
    return taps.copy()


def check_signals(algorithm: str, x, d) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``run`` inputs: equal-length 1-D finite float arrays."""
    x = np.ascontiguousarray(x, dtype=float)
    d = np.ascontiguousarray(d, dtype=float)
    for name, a in (("x", x), ("d", d)):
        if a.ndim != 1:
            raise ValueError(f"{algorithm}.run: '{name}' must be 1-D, got shape {a.shape}")
        bad = first_nonfinite(a)
        if bad is not None:
            raise ValueError(f"{algorithm}.run: '{name}' must be finite; sample {bad[0]} is {a[bad[0]]}")
    if x.shape != d.shape:
        raise ValueError(f"{algorithm}.run: 'x' and 'd' must have the same length, got {x.size} and {d.size}")
    return x, d


def lms_step_bound(n_taps: int, input_power: float) -> float:
    """Upper limit of a stable LMS step size, ``2 / (L * sigma_x^2)`` (= 2 / tr R for a white input).

    The mean-square stability condition of LMS is ``0 < mu < 2 / lambda_max(R)``; the trace
    ``tr R = L sigma_x^2 >= lambda_max`` gives this sufficient, input-independent form
    (Haykin, Adaptive Filter Theory, ch. 6; Diniz 2012, ch. 3).
    """
    if input_power <= 0:
        return math.inf
    return 2.0 / (n_taps * input_power)


class AdaptiveFilter:
    """Base class: ``reset()``, ``update(x, d)``, ``run(x, d)``; see the module docstring.

    Subclasses define ``algorithm``, ``_param_names``, ``_state()`` (the tuple of state arrays
    in the step function's order), ``_scalars()`` (its scalar parameters), ``_step`` (the
    plain-Python step) and ``_kernel`` (the numba loop over the same step).

    Each filter also declares its entry of the registry (:mod:`tremorlab.adaptive.registry`):
    ``algorithm`` (its name: golden-vector files, protocol, tables), ``display_name``,
    ``firmware_id`` (``tp::Algorithm`` in ``firmware/lib/tremorpen/tp_filters.h``),
    ``arrangement`` (:data:`PLAIN` or :data:`FILTERED_X`), ``paper_params`` (the constructor
    arguments of Tironi et al. 2025, less ``n_taps`` and the paths) and :meth:`search_grid`.
    """

    algorithm = "adaptive"
    display_name = ""
    firmware_id: int = -1
    arrangement = PLAIN
    paper_params: dict = {}
    _param_names: tuple[str, ...] = ()

    @classmethod
    def search_grid(cls, mu_grid=MU_GRID, regularization: float = 1e-10,
                    measurement_noise: float = 1e-2) -> list[dict]:  # pragma: no cover - every filter overrides
        """The parameter sets the step-size search of chapter 2 tries (constructor keyword arguments)."""
        raise NotImplementedError

    @classmethod
    def from_params(cls, n_taps: int, params: dict, secondary_path=None, secondary_path_estimate=None):
        """A fresh filter with ``params``; the paths are used by the filtered-x filters only."""
        if cls.arrangement == FILTERED_X:
            return cls(n_taps, secondary_path=secondary_path, secondary_path_estimate=secondary_path_estimate,
                       **params)
        return cls(n_taps, **params)

    def get_params(self) -> dict:
        """Constructor parameters by name (the golden vectors record these)."""
        out = {}
        for k in self._param_names:
            v = getattr(self, k)
            out[k] = v.tolist() if isinstance(v, np.ndarray) else v
        return out

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # -- streaming -------------------------------------------------------------------
    def reset(self) -> "AdaptiveFilter":  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    @property
    def w_(self) -> np.ndarray:
        return self._w.copy()

    def update(self, x: float, d: float) -> tuple[float, float]:
        """Process one sample: push ``x`` into the delay line, return ``(y, e)``, adapt."""
        y, e = self._step(*self._state(), float(x), float(d), *self._scalars())
        if not (math.isfinite(y) and math.isfinite(e)):
            raise FilterDivergedError(self.algorithm, self.n_samples_)
        self.n_samples_ += 1
        return float(y), float(e)

    def check_input(self, x: np.ndarray) -> None:
        """Raise :class:`StabilityError` when the settings are unstable for this input (default: none)."""

    def run(self, x, d) -> tuple[np.ndarray, np.ndarray]:
        """Process whole signals from the current state (numba); returns ``(y, e)`` per sample."""
        x, d = check_signals(self.algorithm, x, d)
        self.check_input(x)
        y = np.empty_like(x)
        e = np.empty_like(x)
        bad = self._kernel(*self._state(), x, d, *self._scalars(), y, e)
        if bad >= 0:
            raise FilterDivergedError(self.algorithm, self.n_samples_ + bad)
        self.n_samples_ += x.size
        return y, e
