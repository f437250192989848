"""Per-task feature sets of chapter 5 (Loconsole et al. 2019): 41 for the spiral, 43 per "l" task.

For each subject and task the paper lists (section "Experimental description"):

* 8 sEMG RMS + 8 sEMG zero crossings (:mod:`tremorlab.features.emg`),
* mean and standard deviation of the pen tip's Cartesian velocity, acceleration and jerk and
  of their X and Y components (18; from :func:`tremorlab.features.kinematics.derivatives`,
  the one implementation shared with chapter 4: magnitudes are vector norms, components are
  signed),
* mean and standard deviation of pressure, azimuth and altitude (6),
* a pattern-specific part: the spiral **precision index** (1, :func:`spiral_precision`) or,
  for the "l" sequences, the **angle alpha** between the regression lines through the upper
  and the lower peaks of ``y`` and the two **R^2** of those lines (3, :func:`letter_size`).

That is 16 + 18 + 6 + 1 = 41 and 16 + 18 + 6 + 3 = 43 features (:data:`SPIRAL_FEATURES`,
:data:`LETTER_FEATURES`).  Every statistic is over the pen-down samples.

Bad input: a recording without pressure or tilt raises :class:`~tremorlab.io.RecordingError`
naming the missing field (or pass ``groups`` without ``"pressure"``/``"tilt"`` to leave them
out, as for the UCI tablet, which has no tilt); a letter task too short to show three upper and
three lower peaks raises an error naming the counts.
"""

from __future__ import annotations

import numpy as np

from tremorlab.features import kinematics
from tremorlab.features.emg import emg_feature_names, emg_features
from tremorlab.io.types import EmgRecording, PenRecording, RecordingError

__all__ = ["KINEMATIC_FEATURES", "PRESSURE_FEATURES", "TILT_FEATURES", "SPIRAL_FEATURES", "LETTER_FEATURES",
           "TASKS", "feature_names", "kinematic_features", "pen_channel_features", "spiral_precision",
           "spiral_angles", "letter_peaks", "letter_size", "pen_features", "task_features", "feature_matrix"]

_KIN = (("velocity", "v"), ("velocity_x", "vx"), ("velocity_y", "vy"),
        ("acceleration", "a"), ("acceleration_x", "ax"), ("acceleration_y", "ay"),
        ("jerk", "j"), ("jerk_x", "jx"), ("jerk_y", "jy"))
#: The 18 kinematic features, ``<signal>_mean`` / ``<signal>_std``.
KINEMATIC_FEATURES = tuple(f"{name}_{s}" for name, _ in _KIN for s in ("mean", "std"))
PRESSURE_FEATURES = ("pressure_mean", "pressure_std")
TILT_FEATURES = ("azimuth_mean", "azimuth_std", "altitude_mean", "altitude_std")
_EMG = tuple(emg_feature_names(8))
#: Dataset A (pattern 1, the spiral): 41 names.
SPIRAL_FEATURES = _EMG + KINEMATIC_FEATURES + PRESSURE_FEATURES + TILT_FEATURES + ("spiral_precision",)
#: Datasets B and C (patterns 2 and 3, the "l" sequences): 43 names.
LETTER_FEATURES = _EMG + KINEMATIC_FEATURES + PRESSURE_FEATURES + TILT_FEATURES + ("alpha_deg", "r2_upper",
                                                                                     "r2_lower")
#: Task name -> (dataset letter, pattern kind).
TASKS = {"spiral": ("A", "spiral"), "l_small": ("B", "letters"), "l_large": ("C", "letters")}


def feature_names(task: str) -> tuple[str, ...]:
    """The feature names of ``task`` (``"spiral"``, ``"l_small"``, ``"l_large"``)."""
    if task not in TASKS:
        raise ValueError(f"task must be one of {list(TASKS)}, got {task!r}")
    return SPIRAL_FEATURES if TASKS[task][1] == "spiral" else LETTER_FEATURES


def _stat(x: np.ndarray) -> tuple[float, float]:
    if x.size == 0:
        return float("nan"), float("nan")
    return float(np.mean(x)), float(np.std(x))


def kinematic_features(rec: PenRecording, smooth_n: int = 1) -> dict[str, float]:
    """Mean and std of v, vx, vy, a, ax, ay, j, jx, jy (18 values; NaN if a stroke is < 4 samples)."""
    d = kinematics.derivatives(rec, smooth_n=smooth_n)
    out = {}
    for name, key in _KIN:
        out[f"{name}_mean"], out[f"{name}_std"] = _stat(d[key])
    return out


def pen_channel_features(rec: PenRecording, groups=("pressure", "tilt")) -> dict[str, float]:
    """Mean and std of pressure (``"pressure"``) and of azimuth and altitude (``"tilt"``), pen down."""
    mask = kinematics.pen_down_mask(rec)
    if not mask.any():
        raise RecordingError(rec.source, "pen_down", "at least one sample with the pen on the surface",
                             "no pen-down sample")
    out = {}
    wanted = []
    if "pressure" in groups:
        wanted.append("pressure")
    if "tilt" in groups:
        wanted += ["azimuth", "altitude"]
    for name in wanted:
        v = getattr(rec, name)
        if v is None:
            raise RecordingError(rec.source, name, f"a {name} channel (the chapter's features need pen "
                                 f"{'pressure' if name == 'pressure' else 'tilt'}; leave the group out to skip it)",
                                 "missing")
        out[f"{name}_mean"], out[f"{name}_std"] = _stat(v[mask])
    return out


def _pen_down_xy(rec: PenRecording) -> np.ndarray:
    mask = kinematics.pen_down_mask(rec)
    if not mask.any():
        raise RecordingError(rec.source, "pen_down", "at least one sample with the pen on the surface",
                             "no pen-down sample")
    return np.stack([rec.x[mask], rec.y[mask]], axis=1), kinematics.stretch_ids(mask)


def spiral_angles(rec: PenRecording, center=None, smooth_n: int = 1) -> np.ndarray:
    """Angles beta (degrees, 0-180) between the radius vector and the drawing direction.

    For each pair of consecutive pen-down samples of one stroke, ``P`` is their mid-point, the
    radius vector ``r = P - C`` starts at the centroid ``C`` of the pen-down samples (or at
    ``center``), and the direction ``d`` is the velocity of
    :func:`tremorlab.features.kinematics.derivatives` (tangent of the trace at ``P``):

    .. math:: \\beta = \\operatorname{atan2}(|r \\times d|,\\; r \\cdot d).

    Points where ``|r| = 0`` or ``|d| = 0`` (the pen stands still) have no angle and are left out.
    A circle drawn around its centre gives 90 degrees everywhere; an Archimedean spiral
    ``rho = b theta`` around its origin gives ``arctan(theta)``.
    """
    xy, ids = _pen_down_xy(rec)
    c = xy.mean(axis=0) if center is None else np.asarray(center, dtype=float)
    xy_s, ids_s = kinematics.moving_average(xy, int(smooth_n), ids)
    mid, _ = kinematics.moving_average(xy_s, 2, ids_s)
    d = kinematics.derivatives(rec, smooth_n=smooth_n)
    dv = np.stack([d["vx"], d["vy"]], axis=1)
    if mid.shape[0] != dv.shape[0]:  # pragma: no cover - both come from the same stretches
        raise RuntimeError("mid-points and velocities disagree")
    r = mid - c
    cross = r[:, 0] * dv[:, 1] - r[:, 1] * dv[:, 0]
    dot = (r * dv).sum(axis=1)
    ok = (np.hypot(r[:, 0], r[:, 1]) > 0) & (np.hypot(dv[:, 0], dv[:, 1]) > 0)
    return np.degrees(np.arctan2(np.abs(cross[ok]), dot[ok]))


def spiral_precision(rec: PenRecording, center=None, smooth_n: int = 1) -> float:
    """Precision index of a spiral: the standard deviation of :func:`spiral_angles` (degrees).

    Raises :class:`~tremorlab.io.RecordingError` with fewer than 3 usable points.
    """
    beta = spiral_angles(rec, center, smooth_n)
    if beta.size < 3:
        raise RecordingError(rec.source, "x, y", "at least 3 moving pen-down points for the spiral precision",
                             f"{beta.size}")
    return float(np.std(beta))


def letter_peaks(rec: PenRecording, prominence: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Upper and lower peaks of the pen-down ``y`` of a letter sequence, as (k, 2) arrays of (x, y).

    Peaks are local maxima (minima) of ``y`` with a prominence of at least ``prominence``
    (default 30 % of the 5-95 % range of ``y``, so that tremor wiggles are not counted);
    samples are taken in time order over all strokes.
    """
    from scipy.signal import find_peaks

    xy, _ = _pen_down_xy(rec)
    y = xy[:, 1]
    if prominence is None:
        lo, hi = np.percentile(y, [5, 95])
        prominence = 0.3 * (hi - lo)
    if not prominence > 0:
        raise RecordingError(rec.source, "y", "a letter sequence with vertical extent (prominence > 0)",
                             f"prominence {prominence}")
    up, _ = find_peaks(y, prominence=prominence)
    low, _ = find_peaks(-y, prominence=prominence)
    return xy[up], xy[low]


def _fit_line(p: np.ndarray) -> tuple[float, float, float]:
    """Least-squares line y = m x + q through points p (k, 2) and its R^2 (Eq. 2)."""
    x, y = p[:, 0], p[:, 1]
    xc = x - x.mean()
    sxx = (xc * xc).sum()
    if sxx == 0:
        raise ValueError("peaks share one x; no regression line")
    m = float((xc * (y - y.mean())).sum() / sxx)
    q = float(y.mean() - m * x.mean())
    sst = float(((y - y.mean()) ** 2).sum())
    sse = float(((y - (m * x + q)) ** 2).sum())
    r2 = 1.0 if sst == 0 else 1.0 - sse / sst
    return m, q, r2


def letter_size(rec: PenRecording, prominence: float | None = None, min_peaks: int = 3) -> dict[str, float]:
    """Size features of an "l" sequence: ``alpha_deg``, ``r2_upper``, ``r2_lower``.

    The upper and lower peaks of ``y`` (:func:`letter_peaks`) are each fitted by least squares,
    ``R_up: y = m_up x + q_up`` and ``R_low: y = m_low x + q_low``; the angle between the lines is

    .. math:: \\alpha = \\left|\\arctan m_{up} - \\arctan m_{low}\\right| \\text{ (degrees)}

    and each line's coefficient of determination is Eq. (2), ``R^2 = 1 - SSE/SST`` with
    ``SST = sum (y_i - ybar)^2`` and ``SSE = sum (y_i - yhat_i)^2`` over its peaks.  When all
    peaks of a line have the same height (``SST = 0``) the line fits them exactly and ``R^2``
    is 1 by convention.  Micrographia (letters shrinking along the line) tilts ``R_up``
    towards ``R_low`` and opens alpha.

    Raises
    ------
    RecordingError
        fewer than ``min_peaks`` upper or lower peaks (task too short, or not a letter sequence).
    """
    up, low = letter_peaks(rec, prominence)
    if up.shape[0] < min_peaks or low.shape[0] < min_peaks:
        raise RecordingError(rec.source, "y", f"at least {min_peaks} upper and {min_peaks} lower peaks of the "
                             "letter sequence (task too short?)", f"{up.shape[0]} upper, {low.shape[0]} lower")
    m_up, _, r2_up = _fit_line(up)
    m_low, _, r2_low = _fit_line(low)
    alpha = abs(np.degrees(np.arctan(m_up) - np.arctan(m_low)))
    return {"alpha_deg": float(alpha), "r2_upper": r2_up, "r2_lower": r2_low}


def pen_features(rec: PenRecording, pattern: str | None = None, groups=("kinematics", "pressure", "tilt"),
                 smooth_n: int = 1) -> dict[str, float]:
    """Pen features of one recording: the chosen ``groups`` and the pattern part.

    ``pattern``: ``"spiral"`` (precision index), ``"letters"`` (alpha and two R^2) or None.
    """
    out: dict[str, float] = {}
    if "kinematics" in groups:
        out.update(kinematic_features(rec, smooth_n))
    out.update(pen_channel_features(rec, [g for g in groups if g in ("pressure", "tilt")]))
    if pattern == "spiral":
        out["spiral_precision"] = spiral_precision(rec, smooth_n=smooth_n)
    elif pattern == "letters":
        out.update(letter_size(rec))
    elif pattern is not None:
        raise ValueError(f"pattern must be 'spiral', 'letters' or None, got {pattern!r}")
    return out


def task_features(pen: PenRecording, emg: EmgRecording, task: str, smooth_n: int = 1,
                  zc_reading: str = "rate") -> dict[str, float]:
    """All features of one task repetition, in the order of :func:`feature_names` (41 or 43)."""
    names = feature_names(task)
    out = emg_features(emg, reading=zc_reading)
    out.update(pen_features(pen, TASKS[task][1], smooth_n=smooth_n))
    return {k: out[k] for k in names}


def feature_matrix(cohort, task: str, zc_reading: str = "rate", smooth_n: int = 1):
    """Subjects x features of one task of a :class:`tremorlab.synth.pd_cohort.Cohort`: the mean of each
    feature over the kept repetitions (``cohort.subjects``, ``cohort.kept_trials(task)``).

    ``smooth_n`` is the moving average (samples) applied before differentiating the pen
    position (:func:`tremorlab.features.kinematics.derivatives`).

    Returns
    -------
    X : ndarray (n_subjects, 41 or 43); names : tuple; subject_ids : ndarray; groups : ndarray
    """
    names = feature_names(task)
    rows, ids, groups = [], [], []
    for subj in cohort.subjects:
        reps = [t for t in cohort.kept_trials(task) if t.subject_id == subj.subject_id]
        if not reps:
            continue
        feats = np.array([[f[k] for k in names] for f in
                          (task_features(t.pen, t.emg, task, smooth_n=smooth_n, zc_reading=zc_reading) for t in reps)])
        rows.append(feats.mean(axis=0))
        ids.append(subj.subject_id)
        groups.append(subj.group)
    return np.array(rows), names, np.array(ids), np.array(groups)
