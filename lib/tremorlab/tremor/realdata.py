"""Real signals for chapter 3: UCI hold-still and spiral pen traces, PADS smartwatch blocks.

Neither is the paper's sensor (a 3-axis accelerometer on the back of the hand at 1500 Hz):
the UCI tablet gives the pen-tip *position* (integer pixels, ~111 / ~142 Hz) and PADS a
preprocessed wrist accelerometer of three subjects whose block layout is not verified.  They
are resampled to the model's 100 Hz (linear interpolation; the UCI PD files are up-sampled).
"""

from __future__ import annotations

import numpy as np

from tremorlab import data, dsp, io

RATE_HZ = 100.0


def _longest_piece(t: np.ndarray, max_gap_s: float = 0.05) -> slice:
    """The longest gap-free piece (the first of equal lengths)."""
    return max(dsp.split_at_gaps(t, max_gap_s), key=lambda sl: sl.stop - sl.start)


def uci_pen_signals(group: str = "parkinson", test_id: int = 2, min_s: float = 4.0,
                    rate_hz: float = RATE_HZ) -> list[dict]:
    """Pen-tip x and y of one UCI test per subject, longest gap-free piece, at ``rate_hz``.

    ``test_id`` 2 is the hold-still test (static, postural-like tremor), 0 the static spiral
    (a real action signal).  Returns dicts with ``subject``, ``group``, ``xy`` (n, 2) in
    pixels, ``original_rate_hz`` and ``duplicate_of`` (the first subject whose segment is
    sample-for-sample identical, else None: in the shared sample the hold-still segments of
    controls C_0009-C_0015 are one and the same recording); subjects without the test or
    shorter than ``min_s`` are left out.
    """
    if group not in ("parkinson", "control"):
        raise ValueError(f"group must be 'parkinson' or 'control', got {group!r}")
    root = data.where("uci_spiral_tablet")
    out, seen = [], {}
    for path in sorted((root / "hw_dataset" / group).glob("*.txt")):
        tests = io.read_uci_spiral(path, repair_time=True)
        if test_id not in tests:
            continue
        rec = tests[test_id]
        keep = np.zeros(rec.n_samples, dtype=bool)
        keep[_longest_piece(rec.t)] = True
        piece = rec.select(keep)
        if piece.duration_s < min_s:
            continue
        key = (piece.t - piece.t[0]).tobytes() + np.asarray(piece.x).tobytes() + np.asarray(piece.y).tobytes()
        res = piece.resample(rate_hz)
        out.append({"subject": rec.subject, "group": group, "xy": np.column_stack([res.x, res.y]).astype(float),
                    "original_rate_hz": float(rec.meta["original_rate_hz"]), "duplicate_of": seen.get(key)})
        seen.setdefault(key, rec.subject)
    return out


def pads_blocks(subject: str = "002", sensor: str = "gyro") -> list[dict]:
    """The 22 preprocessed PADS blocks of one subject (task-major order, NOT verified)."""
    if sensor not in ("acc", "gyro"):
        raise ValueError(f"sensor must be 'acc' or 'gyro', got {sensor!r}")
    recs = io.read_pads_bin(data.path("pads_smartwatch", f"preprocessed/movement/{subject}_ml.bin"),
                               data.path("pads_smartwatch", f"movement/observation_{subject}.json"))
    patient = io.read_pads_patient(data.path("pads_smartwatch", f"patients/patient_{subject}.json"))
    return [{"subject": subject, "condition": patient.get("condition"), "task": r.meta["task"],
             "wrist": r.meta["wrist"], "block": r.meta["block"], "rate_hz": r.meta["rate_hz"],
             "signal": np.asarray(getattr(r, sensor), dtype=float)} for r in recs]


def scale_unit(x: np.ndarray) -> np.ndarray:
    """Min-max scale a signal to [0, 1] (the network's input range)."""
    x = np.asarray(x, dtype=float)
    span = np.ptp(x)
    if span == 0:
        raise ValueError("cannot scale a constant signal to [0, 1]")
    return (x - x.min()) / span
