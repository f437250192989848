"""Recording types shared by every chapter, with validation.

Every recording carries its time axis ``t`` in seconds (strictly increasing, finite) and the
name of the file it came from (``source``), so that an error raised anywhere later can still
say which file it is about.  Channels that a device does not give are ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from tremorlab._validation import RecordingError, check_time  # noqa: F401  (RecordingError: io's error type)
from tremorlab._validation import as_1d as _as_1d
from tremorlab._validation import as_2d as _as_2d
from tremorlab.dsp import resample_uniform

#: Units of pen position that the library understands.
XY_UNITS = ("mm", "device", "px")
#: Units of pen angles (azimuth, altitude).
ANGLE_UNITS = ("deg",)
#: Units of acceleration and angular rate.
ACC_UNITS = ("g", "m/s^2")
GYRO_UNITS = ("rad/s", "deg/s")


def _check_unit(source: str, name: str, unit: str, allowed: tuple[str, ...]) -> None:
    if unit not in allowed:
        raise RecordingError(source, name, f"one of {allowed}", unit)


def nominal_rate_hz(t: np.ndarray, gap_s: float = 0.05) -> float:
    """Sampling rate from timestamps: 1 / mean step, ignoring gaps longer than ``gap_s``."""
    step = np.diff(t)
    step = step[step < gap_s]
    if step.size == 0:
        raise RecordingError("<time axis>", "t", f"steps shorter than the gap threshold {gap_s} s", "none")
    return float(1.0 / step.mean())


@dataclass
class _Recording:
    t: np.ndarray
    source: str
    subject: str | None
    meta: dict

    @property
    def n_samples(self) -> int:
        return int(self.t.shape[0])

    @property
    def duration_s(self) -> float:
        return float(self.t[-1] - self.t[0])

    @property
    def sampling_rate_hz(self) -> float:
        """Rate from the timestamps (mean step, pauses of 50 ms or more left out)."""
        return nominal_rate_hz(self.t)

    def _channels(self) -> dict[str, np.ndarray]:  # pragma: no cover - abstract
        raise NotImplementedError

    def resample(self, rate_hz: float, max_gap_s: float = 0.05) -> "_Recording":
        """Resample every channel onto a uniform grid of ``rate_hz``.

        Continuous channels are interpolated linearly; boolean channels (``pen_down``) take the
        nearest earlier sample.  The original rate is kept in ``meta['original_rate_hz']`` and
        the number of gaps longer than ``max_gap_s`` bridged by the grid in ``meta['gaps_bridged']``.
        See :func:`tremorlab.dsp.resample_uniform`.
        """
        t_new, chans = resample_uniform(self.t, self._channels(), rate_hz, source=self.source)
        meta = dict(self.meta)
        meta.setdefault("original_rate_hz", self.sampling_rate_hz)
        meta["rate_hz"] = float(rate_hz)
        meta["gaps_bridged"] = int((np.diff(self.t) > max_gap_s).sum())
        return replace(self, t=t_new, meta=meta, **chans)

    def slice_time(self, start_s: float, stop_s: float) -> "_Recording":
        """The samples with ``start_s <= t - t[0] < stop_s``."""
        rel = self.t - self.t[0]
        keep = (rel >= start_s) & (rel < stop_s)
        return self.select(keep)

    def select(self, mask: np.ndarray) -> "_Recording":
        """A recording of the samples where ``mask`` is true."""
        mask = np.asarray(mask, dtype=bool)
        chans = {k: v[mask] for k, v in self._channels().items()}
        return replace(self, t=self.t[mask], **chans)


@dataclass
class PenRecording(_Recording):
    """Pen-tip trajectory from a tablet or a smart pen.

    Attributes
    ----------
    t : ndarray, shape (n,)
        Time in seconds, strictly increasing.
    x, y : ndarray, shape (n,)
        Pen-tip position in ``xy_unit`` (``"mm"`` where the device states its resolution,
        ``"device"`` for raw tablet counts, ``"px"`` for screen pixels).
    pressure : ndarray or None
        Axial pressure in device levels (>= 0).
    pen_down : ndarray of bool or None
        True where the pen touches the surface.
    azimuth, altitude : ndarray or None
        Pen angles in degrees.
    """

    x: np.ndarray = None
    y: np.ndarray = None
    pressure: np.ndarray | None = None
    pen_down: np.ndarray | None = None
    azimuth: np.ndarray | None = None
    altitude: np.ndarray | None = None
    xy_unit: str = "device"
    source: str = "<memory>"
    subject: str | None = None
    meta: dict = field(default_factory=dict)

    def __init__(self, t, x, y, pressure=None, pen_down=None, azimuth=None, altitude=None,
                 xy_unit="device", source="<memory>", subject=None, meta=None, require_contact=False):
        src = str(source)
        self.t = check_time(src, t)
        n = self.t.shape[0]
        self.x = _as_1d(src, "x", x, n)
        self.y = _as_1d(src, "y", y, n)
        self.pressure = None if pressure is None else _as_1d(src, "pressure", pressure, n)
        if self.pressure is not None and (self.pressure < 0).any():
            i = int(np.flatnonzero(self.pressure < 0)[0])
            raise RecordingError(src, "pressure", "values >= 0", f"{self.pressure[i]} at sample {i}")
        if pen_down is None:
            self.pen_down = None
        else:
            pd_arr = np.asarray(pen_down)
            if pd_arr.shape != (n,):
                raise RecordingError(src, "pen_down", f"{n} booleans", f"shape {pd_arr.shape}")
            if pd_arr.dtype != bool and not np.isin(pd_arr, (0, 1)).all():
                raise RecordingError(src, "pen_down", "0/1 or booleans", sorted(set(np.unique(pd_arr).tolist()))[:5])
            self.pen_down = pd_arr.astype(bool)
        self.azimuth = None if azimuth is None else _as_1d(src, "azimuth", azimuth, n)
        self.altitude = None if altitude is None else _as_1d(src, "altitude", altitude, n)
        _check_unit(src, "xy_unit", xy_unit, XY_UNITS)
        self.xy_unit = xy_unit
        if require_contact and self.pen_down is not None and not self.pen_down.any():
            raise RecordingError(src, "pen_down", "at least one sample with the pen on the surface",
                                 "the pen never touches")
        self.source, self.subject, self.meta = src, subject, dict(meta or {})

    def _channels(self) -> dict[str, np.ndarray]:
        names = ("x", "y", "pressure", "pen_down", "azimuth", "altitude")
        return {k: getattr(self, k) for k in names if getattr(self, k) is not None}

    def to_frame(self):
        """The recording as a pandas DataFrame (one column per channel present)."""
        import pandas as pd

        return pd.DataFrame({"t": self.t, **self._channels()})


@dataclass
class MotionRecording(_Recording):
    """Inertial recording: acceleration (n, 3) and optional angular rate (n, 3)."""

    acc: np.ndarray = None
    gyro: np.ndarray | None = None
    acc_unit: str = "g"
    gyro_unit: str = "rad/s"
    source: str = "<memory>"
    subject: str | None = None
    meta: dict = field(default_factory=dict)

    def __init__(self, t, acc, gyro=None, acc_unit="g", gyro_unit="rad/s", source="<memory>",
                 subject=None, meta=None):
        src = str(source)
        self.t = check_time(src, t)
        n = self.t.shape[0]
        self.acc = _as_2d(src, "acc", acc, n, 3)
        self.gyro = None if gyro is None else _as_2d(src, "gyro", gyro, n, 3)
        _check_unit(src, "acc_unit", acc_unit, ACC_UNITS)
        _check_unit(src, "gyro_unit", gyro_unit, GYRO_UNITS)
        self.acc_unit, self.gyro_unit = acc_unit, gyro_unit
        self.source, self.subject, self.meta = src, subject, dict(meta or {})

    def _channels(self) -> dict[str, np.ndarray]:
        return {k: getattr(self, k) for k in ("acc", "gyro") if getattr(self, k) is not None}


@dataclass
class EmgRecording(_Recording):
    """Surface EMG: ``channels`` of shape (n, n_channels) in ``unit``."""

    channels: np.ndarray = None
    unit: str = "counts"
    channel_names: tuple[str, ...] = ()
    labels: np.ndarray | None = None
    source: str = "<memory>"
    subject: str | None = None
    meta: dict = field(default_factory=dict)

    def __init__(self, t, channels, unit="counts", channel_names=None, labels=None,
                 source="<memory>", subject=None, meta=None):
        src = str(source)
        self.t = check_time(src, t)
        n = self.t.shape[0]
        self.channels = _as_2d(src, "channels", channels, n, None)
        if unit not in ("counts", "V", "mV", "uV"):
            raise RecordingError(src, "unit", "one of ('counts', 'V', 'mV', 'uV')", unit)
        self.unit = unit
        names = tuple(channel_names) if channel_names is not None else tuple(
            f"ch{i + 1}" for i in range(self.channels.shape[1]))
        if len(names) != self.channels.shape[1]:
            raise RecordingError(src, "channel_names", f"{self.channels.shape[1]} names", len(names))
        self.channel_names = names
        self.labels = None if labels is None else _as_1d(src, "labels", labels, n)
        self.source, self.subject, self.meta = src, subject, dict(meta or {})

    @property
    def n_channels(self) -> int:
        return int(self.channels.shape[1])

    def _channels(self) -> dict[str, np.ndarray]:
        return {k: getattr(self, k) for k in ("channels", "labels") if getattr(self, k) is not None}
