"""Surface-EMG features of chapter 5: per-channel RMS and zero crossings with a tolerance.

Loconsole et al. (2019), section "Handwriting feature extraction", describe two features per
Myo channel:

* root mean square, Eq. (1): :math:`RMS = \\sqrt{\\tfrac{1}{n}\\sum_i x_i^2}`;
* zero crossings: a pair of consecutive samples counts when the sign changes
  (:math:`x_k > 0 > x_{k+1}` or :math:`x_k < 0 < x_{k+1}`) **and** the step is at least the
  tolerance, :math:`|x_k - x_{k+1}| \\ge tol`.  The tolerance is the mean over the channels of
  each channel's standard deviation.

The paper adds that "its value" is divided by the signal length to make subjects comparable.
Two readings exist and both are offered (``reading``):

``"rate"`` (default)
    the tolerance is the mean channel std, and the **count** is divided by the number of
    sample pairs ``n - 1``: a crossing rate per sample, which is what makes recordings of
    different durations comparable.
``"literal"``
    the **tolerance** is divided by ``n`` and the count is returned as it is.  For 8-bit Myo
    counts this makes the tolerance far below one count, i.e. no tolerance at all; it is kept
    so that the reader can see the difference.

The threshold applies to both directions of crossing (the usual Hudgins definition); the
paper's sentence can be parsed as applying it only to the upward direction.

Bad input (see :func:`check_emg`): a missing channel, a flat channel (zero variance, e.g. an
electrode that lost contact) or a saturated channel (many samples at the 8-bit rails) raises
:class:`~tremorlab.io.RecordingError` naming the source and channel.
"""

from __future__ import annotations

import numpy as np

from tremorlab.io.types import EmgRecording, RecordingError

__all__ = ["MYO_RANGE", "rms", "zero_crossings", "zc_tolerance", "check_emg", "emg_features",
           "emg_feature_names"]

#: The Myo armband's signed 8-bit output range (counts).
MYO_RANGE = (-128, 127)


def _as_2d(x) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] < 2:
        raise ValueError(f"EMG must have shape (n_samples >= 2, n_channels), got {np.shape(x)}")
    return a


def rms(x) -> np.ndarray:
    """Root mean square of each channel, Eq. (1) of Loconsole et al. (2019).

    Parameters
    ----------
    x : array_like, shape (n,) or (n, n_channels)

    Returns
    -------
    ndarray, shape (n_channels,)
    """
    a = _as_2d(x)
    return np.sqrt(np.mean(a * a, axis=0))


def zc_tolerance(x, reading: str = "rate") -> float:
    """Tolerance of the zero-crossing count: the mean of the channels' standard deviations.

    With ``reading="literal"`` it is further divided by the number of samples (see the
    module docstring).
    """
    a = _as_2d(x)
    tol = float(np.mean(np.std(a, axis=0)))
    if reading == "literal":
        return tol / a.shape[0]
    if reading != "rate":
        raise ValueError(f"reading must be 'rate' or 'literal', got {reading!r}")
    return tol


def zero_crossings(x, tolerance: float | None = None, reading: str = "rate") -> np.ndarray:
    """Zero crossings of each channel with a step tolerance.

    Counts the pairs ``(x_k, x_{k+1})`` with ``x_k * x_{k+1} < 0`` and
    ``|x_k - x_{k+1}| >= tolerance``.  Samples exactly at zero never count as a sign.

    Parameters
    ----------
    x : array_like, shape (n,) or (n, n_channels)
    tolerance : float, optional
        Step threshold; default :func:`zc_tolerance` of ``x`` (computed over all its channels).
    reading : {"rate", "literal"}
        ``"rate"``: return count / (n - 1); ``"literal"``: the raw count, with the default
        tolerance divided by n.

    Returns
    -------
    ndarray, shape (n_channels,)
    """
    if reading not in ("rate", "literal"):
        raise ValueError(f"reading must be 'rate' or 'literal', got {reading!r}")
    a = _as_2d(x)
    tol = zc_tolerance(a, reading) if tolerance is None else float(tolerance)
    if not np.isfinite(tol) or tol < 0:
        raise ValueError(f"tolerance must be a finite number >= 0, got {tolerance!r}")
    x0, x1 = a[:-1], a[1:]
    crossing = (x0 * x1 < 0) & (np.abs(x0 - x1) >= tol)
    count = crossing.sum(axis=0).astype(np.float64)
    return count / (a.shape[0] - 1) if reading == "rate" else count


def check_emg(rec: EmgRecording, n_channels: int = 8, rails: tuple[float, float] | None = MYO_RANGE,
              max_saturated_fraction: float = 0.05, min_samples: int = 20) -> EmgRecording:
    """Refuse EMG that the features cannot describe; returns ``rec`` unchanged when fine.

    Raises
    ------
    RecordingError
        * fewer (or more) channels than ``n_channels`` (a missing channel),
        * fewer than ``min_samples`` samples,
        * a flat channel (standard deviation 0: no signal, e.g. a lost electrode),
        * a saturated channel: more than ``max_saturated_fraction`` of its samples at either
          rail of ``rails`` (the 8-bit limits of the Myo, clipping distorts RMS and ZC).
    """
    src = rec.source
    if rec.n_channels != n_channels:
        raise RecordingError(src, "channels", f"{n_channels} EMG channels (a Myo armband has 8)",
                             f"{rec.n_channels} channels")
    if rec.n_samples < min_samples:
        raise RecordingError(src, "channels", f"at least {min_samples} samples", rec.n_samples)
    std = rec.channels.std(axis=0)
    for j, name in enumerate(rec.channel_names):
        if std[j] == 0:
            raise RecordingError(src, f"channels[{name}]", "a varying signal (flat channel: electrode lost?)",
                                 f"constant {rec.channels[0, j]:g}")
    if rails is not None:
        lo, hi = rails
        sat = ((rec.channels <= lo) | (rec.channels >= hi)).mean(axis=0)
        for j, name in enumerate(rec.channel_names):
            if sat[j] > max_saturated_fraction:
                raise RecordingError(src, f"channels[{name}]",
                                     f"at most {max_saturated_fraction:.0%} of samples at the rails {rails}",
                                     f"{sat[j]:.1%} saturated")
    return rec


def emg_feature_names(n_channels: int = 8) -> list[str]:
    """``emg_rms_ch1 .. emg_rms_ch8, emg_zc_ch1 .. emg_zc_ch8``."""
    return [f"emg_rms_ch{j + 1}" for j in range(n_channels)] + [f"emg_zc_ch{j + 1}" for j in range(n_channels)]


def emg_features(rec: EmgRecording, reading: str = "rate", check: bool = True, **check_kwargs) -> dict[str, float]:
    """The 16 sEMG features of one task: RMS and ZC of each of the 8 channels.

    The recording is first checked with :func:`check_emg` (``check_kwargs`` go there).
    """
    if check:
        check_emg(rec, **check_kwargs)
    r = rms(rec.channels)
    z = zero_crossings(rec.channels, reading=reading)
    return dict(zip(emg_feature_names(rec.n_channels), np.concatenate([r, z]).tolist()))
