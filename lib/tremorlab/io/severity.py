"""Reader of the rated hand-tremor accelerometry windows (TIM-Tremor and IMU-Wild).

Dataset ``tremor_severity_imu`` (see its README and ``tremorlab/data_registry.json``): per segment ``N`` a
float array ``N-X.npy`` of shape ``(windows, 128, 3)`` (x, y, z acceleration at 50 Hz, 2.56-s
windows without overlap) and an integer array ``N-Y.npy`` of shape ``(windows,)`` (severity 0-3
of each window).  There is no person identifier: the segment is the unit.

Units, established from the data (the chapter shows the evidence):

* **IMU-Wild is in m/s^2.**  Its samples are quantised in steps of exactly ``g / 1024`` (and, for
  some phones, ``g / 8192``) with ``g = 9.80665`` m/s^2: a phone accelerometer's least
  significant bit expressed in m/s^2 (:func:`quantisation_step`).
* **TIM-Tremor is in g.**  Its steps are 0.0245 (no power-of-two fraction of 9.80665), and only in
  g do its labels match the amplitude anchors of the clinical tremor scale: the median 3-12 Hz
  displacement of the windows rated 1 / 2 / 3 is then about 0.9 / 1.6 / 3.9 cm (MDS-UPDRS: slight
  < 1 cm, mild 1-3 cm, moderate 3-10 cm); read as m/s^2 every label would lie below 0.4 cm.

:func:`read_severity_dataset` converts everything to m/s^2 (TIM-Tremor times ``g``).

Each window had its own mean removed by the compilers (every window's mean is 0 to float
precision), so gravity is gone and consecutive windows of a segment do not join:
:func:`rebuild_segment` restores a continuous signal by shifting each window so that it
continues the previous one (the offset that best joins the linear extrapolations across the
boundary).  Consecutive windows are consecutive in time: after the shift, the jump at a
boundary is of the size of a within-window sample step (tested on the data in the chapter).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tremorlab import data
from tremorlab.io.types import RecordingError

#: Standard gravity (m/s^2), for the g -> m/s^2 conversion.
STANDARD_GRAVITY = 9.80665
#: Sampling rate and window length of the compiled windows.
RATE_HZ = 50.0
WINDOW = 128
#: Folder of each subset and the unit its samples are stored in.
SUBSETS = {"tim_tremor": ("Tim-Tremor", "g"), "imu_wild": ("IMU-Wild", "m/s^2")}
_SCALE = {"g": STANDARD_GRAVITY, "m/s^2": 1.0}
_NAME = re.compile(r"^(\d+)-X\.npy$")


@dataclass
class SeverityWindows:
    """Windows of one subset, in m/s^2.

    Attributes
    ----------
    subset : str
    x : ndarray (n_windows, 128, 3), float64, m/s^2 (each window's mean removed, as stored)
    severity : ndarray (n_windows,) int, 0-3
    segment : ndarray (n_windows,) int, the file number ``N`` (the independent unit)
    position : ndarray (n_windows,) int, index of the window within its segment
    unit_stored : str, unit of the files (``"g"`` or ``"m/s^2"``)
    rate_hz : float
    """

    subset: str
    x: np.ndarray
    severity: np.ndarray
    segment: np.ndarray
    position: np.ndarray
    unit_stored: str
    rate_hz: float = RATE_HZ

    @property
    def n_windows(self) -> int:
        return int(self.x.shape[0])

    @property
    def segments(self) -> np.ndarray:
        return np.unique(self.segment)

    def select_segments(self, keep) -> "SeverityWindows":
        """The windows of the segments in ``keep`` (order of the windows kept)."""
        m = np.isin(self.segment, np.asarray(keep))
        return SeverityWindows(self.subset, self.x[m], self.severity[m], self.segment[m], self.position[m],
                               self.unit_stored, self.rate_hz)

    def segment_signal(self, seg: int) -> np.ndarray:
        """Continuous signal (n_windows * 128, 3) of one segment (:func:`rebuild_segment`)."""
        m = self.segment == seg
        order = np.argsort(self.position[m])
        return rebuild_segment(self.x[m][order])


def read_severity_segment(x_path: str | os.PathLike, y_path: str | os.PathLike,
                          unit: str = "m/s^2") -> tuple[np.ndarray, np.ndarray]:
    """One segment: windows ``(n, 128, 3)`` converted from ``unit`` to m/s^2, and severities ``(n,)``.

    Raises :class:`RecordingError` naming the file and field for a wrong shape, non-finite
    samples, a severity outside 0-3 or a count of labels that differs from the count of windows.
    """
    if unit not in _SCALE:
        raise ValueError(f"unit must be one of {sorted(_SCALE)}, got {unit!r}")
    xs, ys = os.fspath(x_path), os.fspath(y_path)
    try:
        x = np.load(xs, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise RecordingError(xs, "X", "a .npy array (windows, 128, 3)", got=str(err)) from None
    try:
        y = np.load(ys, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise RecordingError(ys, "Y", "a .npy integer array (windows,)", got=str(err)) from None
    if x.ndim != 3 or x.shape[1:] != (WINDOW, 3) or x.shape[0] < 1:
        raise RecordingError(xs, "X", f"shape (windows >= 1, {WINDOW}, 3)", got=tuple(x.shape))
    if not np.issubdtype(x.dtype, np.floating):
        raise RecordingError(xs, "X", "floating-point samples", got=str(x.dtype))
    bad = ~np.isfinite(x)
    if bad.any():
        w, i, a = np.argwhere(bad)[0]
        raise RecordingError(xs, "X", "finite samples", got=f"{float(x[w, i, a])} at window {w}, sample {i}, axis {a}")
    if y.ndim != 1 or y.shape[0] != x.shape[0]:
        raise RecordingError(ys, "Y", f"one severity per window, shape ({x.shape[0]},)", got=tuple(y.shape))
    if not np.issubdtype(y.dtype, np.integer):
        if not (np.issubdtype(y.dtype, np.floating) and np.all(np.isfinite(y)) and np.all(y == np.round(y))):
            raise RecordingError(ys, "Y", "integer severities", got=str(y.dtype))
    y = y.astype(np.int64)
    if y.min() < 0 or y.max() > 3:
        k = int(np.flatnonzero((y < 0) | (y > 3))[0])
        raise RecordingError(ys, "Y", "severity 0, 1, 2 or 3", got=f"{int(y[k])} at window {k}")
    return x.astype(np.float64) * _SCALE[unit], y


def read_severity_dataset(subset: str, root: str | os.PathLike | None = None,
                          max_segments: int | None = None, seed: int = 0) -> SeverityWindows:
    """Every segment of ``subset`` (``"tim_tremor"`` or ``"imu_wild"``), in m/s^2.

    ``root`` is the dataset folder (default: the registry's ``tremor_severity_imu``).
    ``max_segments`` keeps a random subset of segments (seeded; whole segments, never single
    windows), for the quick preset.
    """
    if subset not in SUBSETS:
        raise ValueError(f"subset must be one of {sorted(SUBSETS)}, got {subset!r}")
    folder_name, unit = SUBSETS[subset]
    if root is None:
        root = data.where("tremor_severity_imu")
    folder = Path(root) / folder_name
    if not folder.is_dir():
        raise RecordingError(str(folder), "folder", f"a folder '{folder_name}' of N-X.npy / N-Y.npy files")
    numbers = sorted(int(m.group(1)) for p in folder.iterdir() if (m := _NAME.match(p.name)))
    if not numbers:
        raise RecordingError(str(folder), "files", "at least one N-X.npy file")
    if max_segments is not None and max_segments < len(numbers):
        rng = np.random.default_rng(seed)
        numbers = sorted(int(v) for v in rng.choice(numbers, size=int(max_segments), replace=False))
    xs, ys, segs, pos = [], [], [], []
    for n in numbers:
        yp = folder / f"{n}-Y.npy"
        if not yp.is_file():
            raise RecordingError(str(yp), "Y", f"a label file beside {n}-X.npy")
        x, y = read_severity_segment(folder / f"{n}-X.npy", yp, unit)
        xs.append(x)
        ys.append(y)
        segs.append(np.full(y.size, n))
        pos.append(np.arange(y.size))
    return SeverityWindows(subset, np.concatenate(xs), np.concatenate(ys), np.concatenate(segs),
                           np.concatenate(pos), unit)


def rebuild_segment(windows: np.ndarray) -> np.ndarray:
    """Join consecutive mean-removed windows ``(n, T, c)`` into one continuous ``(n T, c)`` signal.

    Window ``k + 1`` is shifted by ``o`` so that the boundary continues both linear
    extrapolations: ``o = ((2 a_{-1} - a_{-2}) - b_0 + (a_{-1} - (2 b_0 - b_1))) / 2`` with
    ``a`` the (shifted) window ``k`` and ``b`` window ``k + 1``; then the whole signal's mean is
    removed.  A single window is returned as it is.
    """
    w = np.asarray(windows, dtype=float)
    if w.ndim != 3 or w.shape[1] < 2:
        raise ValueError(f"windows: expected shape (n, T >= 2, channels), got {w.shape}")
    out = w.copy()
    for k in range(1, w.shape[0]):
        a, b = out[k - 1], out[k]
        o = ((2 * a[-1] - a[-2]) - b[0] + (a[-1] - (2 * b[0] - b[1]))) / 2
        out[k] = b + o
    s = out.reshape(-1, w.shape[2])
    return s - s.mean(axis=0)


def quantisation_step(x: np.ndarray, tol: float = 1e-7) -> float:
    """Smallest non-zero difference between the distinct values of one channel (the sensor's LSB)."""
    v = np.unique(np.asarray(x, dtype=np.float64).ravel())
    d = np.diff(v)
    d = d[d > tol]
    if d.size == 0:
        raise ValueError("quantisation_step: fewer than two distinct values")
    return float(d.min())


__all__ = ["SeverityWindows", "read_severity_segment", "read_severity_dataset", "rebuild_segment",
           "quantisation_step", "STANDARD_GRAVITY", "SUBSETS", "RATE_HZ", "WINDOW"]
