"""The checks every layer shares (the role scikit-learn's ``utils/validation.py`` plays).

A leaf module: numpy and the standard library only, so ``dsp``, ``io``, ``adaptive`` and
``tremor`` all import it without importing each other.  Two kinds of helpers:

* the recording checks that raise :class:`RecordingError` (a time axis, 1-D and 2-D channels);
* predicates that find what is wrong (:func:`first_nonfinite`, :func:`positive_finite`,
  :func:`is_positive_int`), so that each module keeps its own error type and message (the
  adaptive filters raise :class:`~tremorlab.adaptive.base.StabilityError` naming the algorithm,
  the Fourier linear combiners a ``ValueError`` naming the parameter).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


class RecordingError(ValueError):
    """Bad input: names the file, the line or field, and what was expected.

    Parameters
    ----------
    source : str
        File (or other origin) of the data.
    field : str
        Column, field or key that is wrong.
    expected : str
        What a valid value looks like.
    got : object, optional
        What was found instead.
    line : int, optional
        1-based line number in ``source`` where the problem is.
    """

    def __init__(self, source: str, field: str, expected: str, got: Any = None, line: int | None = None):
        self.source, self.field, self.expected, self.got, self.line = source, field, expected, got, line
        where = f"{source}" + (f", line {line}" if line is not None else "")
        msg = f"{where}: field '{field}': expected {expected}"
        if got is not None:
            msg += f", got {got!r}"
        super().__init__(msg)


# ---- predicates: what is wrong, without an opinion on how to say it ---------------------------------

def first_nonfinite(arr: np.ndarray) -> tuple[int, ...] | None:
    """Index (a tuple, one entry per axis) of the first NaN or inf in ``arr``, or None if all are finite."""
    bad = ~np.isfinite(arr)
    if not bad.any():
        return None
    return tuple(int(v) for v in np.argwhere(bad)[0])


def positive_finite(value, allow_zero: bool = False) -> float | None:
    """``float(value)`` if it is finite and > 0 (>= 0 with ``allow_zero``); None otherwise or if not a number."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    ok = math.isfinite(v) and (v >= 0 if allow_zero else v > 0)
    return v if ok else None


def is_positive_int(value) -> bool:
    """A Python or numpy integer >= 1 (``True``/``False`` are not counts)."""
    return not isinstance(value, bool) and isinstance(value, (int, np.integer)) and value >= 1


# ---- recording checks (RecordingError) -----------------------------------------------------------------

def as_1d(source: str, name: str, values: Any, n: int | None) -> np.ndarray:
    """A finite 1-D float64 array (of ``n`` values when given), or :class:`RecordingError`."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise RecordingError(source, name, "a 1-D array", f"shape {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise RecordingError(source, name, f"{n} values (same length as t)", f"{arr.shape[0]} values")
    bad = first_nonfinite(arr)
    if bad is not None:
        i = bad[0]
        raise RecordingError(source, name, "finite numbers (no NaN or inf)", f"{arr[i]} at sample {i}")
    return arr


def as_2d(source: str, name: str, values: Any, n: int, width: int | None) -> np.ndarray:
    """A finite ``(n, width)`` float64 array (any width when None), or :class:`RecordingError`."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != n or (width is not None and arr.shape[1] != width):
        want = f"shape ({n}, {width if width is not None else 'channels'})"
        raise RecordingError(source, name, want, f"shape {arr.shape}")
    bad = first_nonfinite(arr)
    if bad is not None:
        i, j = bad
        raise RecordingError(source, name, "finite numbers (no NaN or inf)", f"{arr[i, j]} at sample {i}, column {j}")
    return arr


def check_time(source: str, t: Any) -> np.ndarray:
    """Validate a time axis in seconds: 1-D, finite, at least two samples, strictly increasing."""
    t = as_1d(source, "t", t, None)
    if t.shape[0] < 2:
        raise RecordingError(source, "t", "at least 2 samples", f"{t.shape[0]}")
    step = np.diff(t)
    if (step <= 0).any():
        i = int(np.flatnonzero(step <= 0)[0]) + 1
        kind = "repeats" if step[i - 1] == 0 else "goes backwards"
        raise RecordingError(source, "t", "strictly increasing time", f"time {kind} at sample {i} ({t[i - 1]} -> {t[i]} s)")
    return t


def check_rate(source: str, rate_hz) -> float:
    """A positive finite sampling rate in Hz, or :class:`RecordingError` (field ``rate_hz``)."""
    r = positive_finite(rate_hz)
    if r is None:
        raise RecordingError(source, "rate_hz", "a positive finite sampling rate in Hz", rate_hz)
    return r
