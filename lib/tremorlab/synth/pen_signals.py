"""Tremor-band pen signals from the real UCI tablet spirals (chapter 2's stand-in for NewHandPD BiSP).

Tironi et al. (2025) fed their filters 4000-sample, 200 Hz smart-pen (BiSP) signals of 31
NewHandPD patients; those signals are not public.  This module builds the closest public
substitute from the UCI graphics-tablet spirals (Isenkul et al. 2014):

1. read a subject's file (``tremorlab.io.read_uci_spiral``, backward time stamps dropped);
2. among the static (0) and dynamic (1) spiral tests, split at time gaps longer than
   ``max_gap_s`` and keep the longest gap-free piece;
3. resample the pen-tip position (x, y, tablet pixels) to ``rate_hz`` (200 Hz: an *up*-sampling
   of the PD files, recorded at ~111 Hz, while most controls are at ~142 Hz);
4. band-pass both axes to the tremor band ``band`` (default 3-12 Hz: PD rest 3-7 Hz, ET 4-8 Hz,
   physiological 8-12 Hz; the slow voluntary spiral lies below 3 Hz), zero-phase Butterworth;
5. project on the first principal axis of the 2-D tremor-band motion (the direction in which
   the pen shakes most), drop ``edge_s`` at each end (filter transients), keep the first
   ``n_samples`` and scale to unit RMS (the filters' step sizes then refer to a unit-power input;
   the RMS in pixels is kept in ``rms_px``).

Subjects whose longest piece is shorter than ``n_samples`` after trimming are skipped and
reported in the returned ``skipped`` list.  Differences from BiSP: position of the pen tip on a
tablet (not the pen's own acceleration/force sensors), 1-pixel quantisation, lower original
rate, spiral task only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tremorlab import data, dsp
from tremorlab.io import read_uci_spiral

DATASET = "uci_spiral_tablet"
TREMOR_BAND_HZ = (3.0, 12.0)


@dataclass(frozen=True)
class PenTremorSignal:
    """One subject's tremor-band pen signal.

    Attributes
    ----------
    subject : str
    group : str
        ``"parkinson"`` or ``"control"``.
    x : ndarray, shape (n_samples,)
        Tremor-band pen-tip motion on its principal axis, unit RMS.
    rate_hz : float
    rms_px : float
        RMS of the signal before scaling, in tablet pixels.
    dominant_hz : float
        Frequency of the Welch-PSD peak inside the band.
    meta : dict
        ``test_id``, ``original_rate_hz``, ``start_s`` (start in the test), ``source``.
    """

    subject: str
    group: str
    x: np.ndarray
    rate_hz: float
    rms_px: float
    dominant_hz: float
    meta: dict = field(default_factory=dict)


def tremor_signal_from_file(path, n_samples: int = 4000, rate_hz: float = 200.0,
                            band: tuple[float, float] = TREMOR_BAND_HZ, tests=(0, 1), max_gap_s: float = 0.05,
                            edge_s: float = 0.5) -> PenTremorSignal | None:
    """The tremor-band signal of one UCI file, or ``None`` when no piece is long enough."""
    recs = read_uci_spiral(path, repair_time=True)
    best = None
    for tid in tests:
        rec = recs.get(tid)
        if rec is None:
            continue
        for sl in dsp.split_at_gaps(rec.t, max_gap_s):
            dur = rec.t[sl][-1] - rec.t[sl][0] if sl.stop - sl.start > 1 else 0.0
            if best is None or dur > best[0]:
                best = (dur, tid, rec, sl)
    if best is None:
        return None
    dur, tid, rec, sl = best
    need = n_samples / rate_hz + 2 * edge_s
    if dur < need:
        return None
    t, ch = dsp.resample_uniform(rec.t[sl], {"xy": np.stack([rec.x[sl], rec.y[sl]], axis=1).astype(float)}, rate_hz,
                                 source=rec.source)
    xy = dsp.bandpass(ch["xy"], rate_hz, band, order=4, axis=0)
    xy = xy - xy.mean(axis=0)
    _, _, vt = np.linalg.svd(xy, full_matrices=False)
    axis = vt[0] * np.sign(vt[0][np.argmax(np.abs(vt[0]))])
    proj = xy @ axis
    k0 = int(round(edge_s * rate_hz))
    seg = proj[k0:k0 + n_samples]
    rms = float(np.sqrt(np.mean(seg * seg)))
    if not rms > 0:
        return None
    f, p = dsp.psd(seg, rate_hz, nperseg=512)
    return PenTremorSignal(subject=rec.subject, group=rec.meta["group"], x=seg / rms, rate_hz=float(rate_hz),
                           rms_px=rms, dominant_hz=dsp.dominant_frequency(f, p, band),
                           meta={"test_id": int(tid), "original_rate_hz": float(rec.meta["original_rate_hz"]),
                                 "start_s": float(t[k0] - rec.t[0]), "source": rec.source})


def uci_tremor_signals(group: str = "parkinson", n_samples: int = 4000, rate_hz: float = 200.0,
                       band: tuple[float, float] = TREMOR_BAND_HZ, max_subjects: int | None = None,
                       **kwargs) -> tuple[list[PenTremorSignal], list[str]]:
    """Tremor-band signals of every subject of ``group`` (``"parkinson"`` or ``"control"``).

    Returns ``(signals, skipped)``: the signals in file order (at most ``max_subjects``) and the
    names of the subjects skipped because no gap-free piece held ``n_samples``.
    """
    if group not in ("parkinson", "control"):
        raise ValueError(f"group must be 'parkinson' or 'control', got {group!r}")
    out, skipped = [], []
    for path in data.files(DATASET, f"hw_dataset/{group}/*.txt"):
        if max_subjects is not None and len(out) >= max_subjects:
            break
        sig = tremor_signal_from_file(path, n_samples, rate_hz, band, **kwargs)
        if sig is None:
            skipped.append(path.stem)
        else:
            out.append(sig)
    return out, skipped
