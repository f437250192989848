"""Readers for the real datasets the chapters use.

Each reader validates what it reads and raises :class:`~tremorlab.io.types.RecordingError`
(naming the file, the line or field and the expectation) on bad input.

==========================  ==================================================================
reader                      dataset (see ``tremorlab data list``)
==========================  ==================================================================
:func:`read_uci_spiral`     ``uci_spiral_tablet``: ``X;Y;Z;Pressure;GripAngle;Timestamp;TestID``
:func:`read_svc`            ``pahaw_bdalab_svc_sample``: BDALab/PaHaW ``.svc``
:func:`read_myo_emg`        ``uci_emg_gestures_myo``: Myo armband EMG, repeated rows collapsed
:func:`read_pads_bin`       ``pads_smartwatch``: preprocessed ``NNN_ml.bin`` + observation JSON
:func:`read_pads_patient`   ``pads_smartwatch``: ``patient_NNN.json``
:func:`read_image`          spiral image folders (``kaggle_spiral_drawings``, ``newhandpd_...``)
==========================  ==================================================================
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tremorlab.io.text import data_line_numbers, monotonic_time, parse_table, read_text
from tremorlab.io.types import EmgRecording, MotionRecording, PenRecording, RecordingError, nominal_rate_hz

UCI_COLUMNS = ("X", "Y", "Z", "Pressure", "GripAngle", "Timestamp", "TestID")
UCI_TESTS = {0: "static_spiral", 1: "dynamic_spiral", 2: "hold_still"}
SVC_COLUMNS = ("y", "x", "timestamp", "pen_status", "azimuth", "altitude", "pressure")


def _subject_from(path: str) -> str:
    return Path(path).stem


def read_uci_spiral(path: str | os.PathLike, repair_time: bool = False) -> dict[int, PenRecording]:
    """Read one UCI tablet file and split it by test.

    Parameters
    ----------
    path : path of a ``C_*.txt`` / ``P_*.txt`` file (7 ``;``-separated integer fields a line).
    repair_time : bool
        The raw files contain a few repeated or backward time stamps (34 in the sample).  By
        default they are an error naming the line; with ``True`` each such step is taken as a
        clock reset and replaced by the median step (no sample dropped), counted in
        ``meta['time_steps_repaired']``.

    Returns
    -------
    dict
        Test id (0 static spiral, 1 dynamic spiral, 2 hold-still) -> :class:`PenRecording`
        with x, y in tablet units (``xy_unit="px"``; the source does not state the unit),
        ``pressure`` (0-1023), ``pen_down = pressure > 0`` and ``meta`` holding ``z`` and
        ``grip_angle`` (undocumented units), the test name and the time-stamp rate.  Tests 0
        and 1 must have the pen on the surface at least once; the hold-still test is recorded
        hovering in many files and is not checked for contact.
    """
    path = os.fspath(path)
    text = read_text(path)
    arr = parse_table(path, text, UCI_COLUMNS, sep=";", integer=True)
    tests = arr[:, 6].astype(int)
    unknown = ~np.isin(tests, list(UCI_TESTS))
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise RecordingError(path, "TestID", "0, 1 or 2", int(tests[i]), line=int(data_line_numbers(text)[i]))
    out: dict[int, PenRecording] = {}
    for tid in np.unique(tests):
        m = tests == tid
        seg, rows = arr[m], np.flatnonzero(m)
        if seg.shape[0] < 2:
            raise RecordingError(path, "TestID", f"at least 2 samples for test {tid}", seg.shape[0])
        t_ms, repaired = monotonic_time(path, seg[:, 5], repair_time,
                                        lambda i, rows=rows: data_line_numbers(text)[rows[i]])
        t = (t_ms - t_ms[0]) / 1000.0
        rec = PenRecording(
            t=t, x=seg[:, 0], y=seg[:, 1], pressure=seg[:, 3], pen_down=seg[:, 3] > 0,
            xy_unit="px", source=f"{path} (test {tid})", subject=_subject_from(path),
            meta={"test_id": int(tid), "test": UCI_TESTS[int(tid)], "z": seg[:, 2], "grip_angle": seg[:, 4],
                  "group": "control" if Path(path).name.startswith("C_") else "parkinson",
                  "time_steps_repaired": repaired},
            require_contact=int(tid) in (0, 1),
        )
        rec.meta["original_rate_hz"] = rec.sampling_rate_hz
        out[int(tid)] = rec
    return out


def read_svc(path: str | os.PathLike, repair_time: bool = False, check_count: bool = True) -> PenRecording:
    """Read a BDALab / PaHaW ``.svc`` file.

    Line 1 holds the number of samples; each further line ``y x timestamp pen_status azimuth
    altitude pressure`` (whitespace-separated integers, **y first**).  Azimuth and altitude are
    taken as tenths of a degree (Wintab convention; the source does not say) and converted to
    degrees.  Position stays in device units.  ``pen_status`` must be 0 or 1 and the pen must
    touch the surface at least once.
    """
    path = os.fspath(path)
    head, _, body = read_text(path).partition("\n")
    header = head.strip()
    if not re.fullmatch(r"\d+", header):
        raise RecordingError(path, "sample count", "a non-negative integer on line 1", header, line=1)
    if not body.strip():
        raise RecordingError(path, "<file>", "data lines after the sample count", "none", line=2)
    arr = parse_table(path, body, SVC_COLUMNS, sep=None, first_line=2, integer=True)
    if check_count and int(header) != arr.shape[0]:
        raise RecordingError(path, "sample count", f"{arr.shape[0]} (the number of data lines)", int(header), line=1)
    status = arr[:, 3]
    if not np.isin(status, (0, 1)).all():
        i = int(np.flatnonzero(~np.isin(status, (0, 1)))[0])
        raise RecordingError(path, "pen_status", "0 (in air) or 1 (on surface)", int(status[i]),
                             line=int(data_line_numbers(body, 2)[i]))
    t_ms, repaired = monotonic_time(path, arr[:, 2], repair_time, lambda i: data_line_numbers(body, 2)[i])
    name = Path(path).name
    m = re.match(r"(?P<writer>\d+)_.*\.(?P<task>\d+)_(?P<rep>\d+)\.svc$", name)
    rec = PenRecording(
        t=(t_ms - t_ms[0]) / 1000.0, x=arr[:, 1], y=arr[:, 0], pressure=arr[:, 6],
        pen_down=arr[:, 3] == 1, azimuth=arr[:, 4] / 10.0, altitude=arr[:, 5] / 10.0,
        xy_unit="device", source=path, subject=m.group("writer") if m else _subject_from(path),
        meta={"task": int(m.group("task")) if m else None, "repetition": int(m.group("rep")) if m else None,
              "group": Path(path).parent.name.split("-")[0], "time_steps_repaired": repaired},
        require_contact=True,
    )
    rec.meta["original_rate_hz"] = rec.sampling_rate_hz
    return rec


def read_myo_emg(path: str | os.PathLike, collapse_repeats: bool = True) -> EmgRecording:
    """Read a UCI "EMG data for gestures" file (Myo armband, 8 channels).

    The file has one header line ``time channel1 .. channel8 class`` and tab-separated rows
    every ~1 ms, but the Myo streams at 200 Hz: about 90 % of the rows repeat the previous
    8-channel vector (sample-and-hold on the logger's clock).  With ``collapse_repeats`` only
    rows whose channel vector differs from the row before are kept, which recovers the distinct
    updates (~100 per second in the sample).  Values are converted back to the Myo's signed
    8-bit counts (value / 1e-5).  ``meta`` reports rows read, rows kept and the effective rate.
    """
    path = os.fspath(path)
    first, _, body = read_text(path).partition("\n")
    cols = ("time",) + tuple(f"channel{i}" for i in range(1, 9)) + ("class",)
    head = first.split()
    if head != list(cols):
        raise RecordingError(path, "<header>", "the header 'time channel1 ... channel8 class'", " ".join(head), line=1)
    arr = parse_table(path, body, cols, sep="\t", first_line=2)
    monotonic_time(path, arr[:, 0], repair=False, line_of=lambda i: data_line_numbers(body, 2)[i])
    counts = arr[:, 1:9] / 1e-5
    if np.abs(counts - np.round(counts)).max() > 1e-3 or counts.min() < -128 or counts.max() > 127:
        raise RecordingError(path, "channel1..8", "multiples of 1e-5 within the Myo's 8-bit range", float(np.abs(arr[:, 1:9]).max()))
    counts = np.round(counts)
    keep = np.ones(arr.shape[0], dtype=bool)
    if collapse_repeats:
        keep[1:] = (np.diff(counts, axis=0) != 0).any(axis=1)
    rec = EmgRecording(
        t=arr[keep, 0] / 1000.0, channels=counts[keep], unit="counts",
        channel_names=[f"ch{i}" for i in range(1, 9)], labels=arr[keep, 9], source=path,
        subject=Path(path).parent.name,
        meta={"rows_read": int(arr.shape[0]), "rows_kept": int(keep.sum()),
              "series": Path(path).name.split("_")[0]},
    )
    rec.meta["effective_rate_hz"] = rec.n_samples / rec.duration_s
    return rec


#: Task order of the PADS observation files (as listed in ``session``).
PADS_TASKS = ("Relaxed", "RelaxedTask", "StretchHold", "LiftHold", "HoldWeight", "PointFinger",
              "DrinkGlas", "CrossArms", "TouchIndex", "TouchNose", "Entrainment")
PADS_ROWS, PADS_COLS = 132, 976


def read_pads_patient(path: str | os.PathLike) -> dict:
    """Read a PADS ``patient_NNN.json``; checks the fields the chapters use."""
    path = os.fspath(path)
    data = _read_json(path)
    for key in ("id", "condition", "age", "gender", "handedness"):
        if key not in data:
            raise RecordingError(path, key, "a PADS patient field", "missing")
    return data


def _read_json(path: str) -> dict:
    text = read_text(path)  # existence, encoding and emptiness
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordingError(path, "<json>", "valid JSON", exc.msg, line=exc.lineno) from None
    if not isinstance(data, dict):
        raise RecordingError(path, "<json>", "a JSON object", type(data).__name__)
    return data


def read_pads_bin(bin_path: str | os.PathLike, observation_path: str | os.PathLike) -> list[MotionRecording]:
    """Read a PADS preprocessed ``NNN_ml.bin`` with the subject's observation JSON.

    The file is 132 x 976 little-endian float32 (the observation JSON states the endianness,
    type and bits, which are checked).  Its 132 rows are read as 22 blocks of 6 channels
    (acc x/y/z in g, gyro x/y/z in rad/s).  The assignment of blocks to tasks and wrists is
    **not documented**; we take task-major order (task 1 left, task 1 right, ...) and flag it
    in ``meta['order_verified'] = False``.  Time comes from the stated ``sampling_rate``.
    """
    bin_path, observation_path = os.fspath(bin_path), os.fspath(observation_path)
    obs = _read_json(observation_path)
    for key, want in (("endianness", "little"), ("data_type", "float"), ("bits", 32)):
        if obs.get(key) != want:
            raise RecordingError(observation_path, key, repr(want), obs.get(key))
    rate = obs.get("sampling_rate")
    if not isinstance(rate, (int, float)) or rate <= 0:
        raise RecordingError(observation_path, "sampling_rate", "a positive number (Hz)", rate)
    if not os.path.isfile(bin_path):
        raise RecordingError(bin_path, "<file>", "an existing file", "no such file")
    size = os.path.getsize(bin_path)
    if size != PADS_ROWS * PADS_COLS * 4:
        raise RecordingError(bin_path, "<size>", f"{PADS_ROWS * PADS_COLS * 4} bytes (132 x 976 float32)", f"{size} bytes")
    arr = np.fromfile(bin_path, dtype="<f4").reshape(PADS_ROWS, PADS_COLS).astype(np.float64)
    t = np.arange(PADS_COLS) / float(rate)
    out = []
    for b in range(PADS_ROWS // 6):
        task, wrist = PADS_TASKS[b // 2], ("LeftWrist", "RightWrist")[b % 2]
        block = arr[6 * b: 6 * b + 6]
        out.append(MotionRecording(
            t=t, acc=block[:3].T, gyro=block[3:].T, acc_unit="g", gyro_unit="rad/s",
            source=f"{bin_path} (block {b})", subject=str(obs.get("subject_id")),
            meta={"block": b, "task": task, "wrist": wrist, "order_verified": False,
                  "device": obs.get("device_id"), "rate_hz": float(rate)}))
    return out


@dataclass(frozen=True)
class ImageItem:
    """One image of an image dataset: where it is and what is known about it."""

    path: str
    label: str
    subject: str | None
    split: str | None


def read_image(path: str | os.PathLike, mode: str = "RGB") -> np.ndarray:
    """Load an image as a uint8 array (H, W, 3) for ``mode="RGB"`` or (H, W) for ``"L"``.

    Every image is converted to one mode so that, e.g., greyscale training images and RGB test
    images of the Kaggle set cannot be told apart by their channel count.
    """
    from PIL import Image, UnidentifiedImageError

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise RecordingError(path, "<file>", "an existing image file", "no such file")
    try:
        with Image.open(path) as im:
            return np.asarray(im.convert(mode))
    except (UnidentifiedImageError, OSError) as exc:
        raise RecordingError(path, "<image>", "a readable PNG/JPEG image", str(exc)) from None


def list_kaggle_spirals(root: str | os.PathLike) -> list[ImageItem]:
    """Images of ``kaggle_spiral_drawings``: ``spiral/{training,testing}/{healthy,parkinson}/*.png``.

    ``subject`` is the ``V<NN>`` prefix of the file name (a guess documented in the dataset's
    README); the split is the source's and is **not** by subject.
    """
    items = []
    for p in sorted(Path(root).glob("spiral/*/*/*.png")):
        m = re.match(r"(V\d+)", p.stem)
        items.append(ImageItem(str(p), p.parent.name, m.group(1) if m else None, p.parent.parent.name))
    if not items:
        raise RecordingError(str(root), "spiral/<split>/<class>/*.png", "at least one image", "none found")
    return items


def list_newhandpd_spirals(root: str | os.PathLike) -> list[ImageItem]:
    """Images of ``newhandpd_spiral_samples``: ``{Healthy,Patient}Spiral/sp<k>-<H|P><id>.jpg``."""
    items = []
    for p in sorted(Path(root).glob("*Spiral/*.jpg")):
        m = re.match(r"sp\d+-([HP]\d+)", p.stem)
        label = "healthy" if p.parent.name.startswith("Healthy") else "parkinson"
        items.append(ImageItem(str(p), label, m.group(1) if m else None, None))
    if not items:
        raise RecordingError(str(root), "*Spiral/*.jpg", "at least one image", "none found")
    return items


def rate_report(recordings: list[PenRecording]) -> "list[dict]":
    """One row per recording: subject, group, samples, duration and the time-stamp rate."""
    return [{"subject": r.subject, "group": r.meta.get("group"), "samples": r.n_samples,
             "duration_s": round(r.duration_s, 2), "rate_hz": round(nominal_rate_hz(r.t), 1)}
            for r in recordings]
