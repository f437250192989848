"""Cohort phantom of chapter 5: 32 writers, three tasks, pen + Myo sEMG, PD traits by severity.

The study of Loconsole et al. (2019) ("Participants", "Experimental description") recorded
11 healthy writers and 21 PD patients (12 mild, 9 moderate) on a Wacom Cintiq 13HD with a Myo
armband, each performing four repetitions (the first discarded) of three patterns:

* ``spiral`` -- a five-turn spiral drawn anticlockwise (pattern 1, dataset A),
* ``l_small`` -- eight cursive "l" of 2.5 cm (pattern 2, dataset B),
* ``l_large`` -- eight cursive "l" of 5 cm with a size marker (pattern 3, dataset C).

Their recordings are not public.  This phantom draws a cohort of the same make-up with a known
ground truth.  Every subject has a severity ``s`` (0 healthy, U(0.2, 0.5) mild, U(0.5, 0.9)
moderate) and individual traits; the PD signs grow with ``s``:

==================  ==============================================================  ==========
sign                model                                                            channel
==================  ==============================================================  ==========
bradykinesia        mean drawing speed x (1 - 0.45 s), more irregular speed          pen x, y
micrographia        letters smaller by (1 - 0.25 s), shrinking along the sequence    pen y
                    by up to 0.3 s (size decrement: opens alpha, see features)
tremor              :func:`tremorlab.synth.tremor.tremor_phantom` kind "pd"          pen x, y,
                    (3-7 Hz, bursts) of amplitude ~0.5 s mm; healthy writers get      tilt, EMG
                    physiological tremor of 0.03 mm
pressure            lower and more variable                                          pressure
co-contraction      antagonists active together, ~0.6 s of the effort               EMG
tremor bursts       alternating flexor/extensor bursts driven by the same tremor     EMG
==================  ==============================================================  ==========

Between-writer spread (speed, size, pressure, pen hold, electrode gains) is drawn on top, so
classes overlap.  Units: mm, s, pressure levels 0-2047, degrees; the tablet and the armband
are both sampled at ``rate_hz`` (200 Hz by default; the paper states neither rate).  Effect
sizes are our choice: accuracies measured on this phantom say how the method behaves on data
of this kind, not what it would give on the paper's cohort.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tremorlab.io.types import EmgRecording, PenRecording
from tremorlab.synth.emg import emg_phantom
from tremorlab.synth.noise import brick_wall
from tremorlab.synth.tremor import tremor_phantom

__all__ = ["GROUPS", "TASK_NAMES", "CohortSubject", "Trial", "Cohort", "make_cohort", "draw_trial"]

GROUPS = ("healthy", "mild", "moderate")
TASK_NAMES = ("spiral", "l_small", "l_large")
_PREFIX = {"healthy": "HC", "mild": "PDmi", "moderate": "PDmo"}
_LETTER_HEIGHT_MM = {"l_small": 25.0, "l_large": 50.0}


@dataclass(frozen=True)
class CohortSubject:
    """One phantom writer: id, group, severity and the traits drawn for them (ground truth)."""

    subject_id: str
    group: str
    severity: float
    traits: dict[str, float]


@dataclass(frozen=True)
class Trial:
    """One repetition of one task: pen and EMG recordings, and whether it is kept (rep > 0)."""

    subject_id: str
    group: str
    task: str
    repetition: int
    pen: PenRecording
    emg: EmgRecording
    truth: dict[str, Any]

    @property
    def kept(self) -> bool:
        return self.repetition > 0


@dataclass
class Cohort:
    subjects: list[CohortSubject]
    trials: list[Trial]
    params: dict[str, Any] = field(default_factory=dict)

    def kept_trials(self, task: str | None = None) -> list[Trial]:
        """The recorded repetitions (the first, familiarisation, repetition left out)."""
        return [t for t in self.trials if t.kept and (task is None or t.task == task)]

    def subject(self, subject_id: str) -> CohortSubject:
        return next(s for s in self.subjects if s.subject_id == subject_id)


def _draw_subject(k: int, group: str, rng: np.random.Generator) -> CohortSubject:
    s = {"healthy": 0.0, "mild": rng.uniform(0.2, 0.5), "moderate": rng.uniform(0.5, 0.9)}[group]
    pd = group != "healthy"
    traits = {
        "speed_factor": float(np.exp(rng.normal(0, 0.2)) * (1 - 0.45 * s)),
        "speed_irregularity": float(0.08 + 0.25 * s),
        "size_factor": float(np.exp(rng.normal(0, 0.08)) * (1 - 0.25 * s)),
        "size_decrement": float(max(0.0, 0.3 * s * rng.uniform(0.5, 1.5) + rng.normal(0, 0.03))),
        "height_jitter": float(0.03 + 0.07 * s),
        "tremor_mm": float(0.5 * s * rng.uniform(0.3, 1.5) if pd else 0.03),
        "tremor_hz": float(rng.uniform(4.0, 6.0) if pd else rng.uniform(8.5, 11.5)),
        "pressure_level": float(0.5 * np.exp(rng.normal(0, 0.15)) * (1 - 0.25 * s)),
        "pressure_variability": float(0.05 * np.exp(rng.normal(0, 0.35)) * (1 + s)),
        "altitude_deg": float(rng.normal(55, 5)),
        "azimuth_deg": float(rng.normal(200, 15)),
        "tilt_variability_deg": float(1.5 * np.exp(rng.normal(0, 0.35)) * (1 + 0.8 * s)),
        "emg_effort": float(0.25 * np.exp(rng.normal(0, 0.3)) * (1 + 0.3 * s)),
        "cocontraction": float(0.1 + 0.6 * s * rng.uniform(0.3, 1.7)),
        "emg_tremor_gain": float(0.2 * s * rng.uniform(0.3, 1.5) if pd else 0.0),
        "emg_full_scale": float(40 * np.exp(rng.normal(0, 0.2))),
    }
    return CohortSubject(subject_id=f"{_PREFIX[group]}{k:02d}", group=group, severity=float(s), traits=traits)


def _time_warp(rng, n: int, rate_hz: float, irregularity: float) -> np.ndarray:
    """Positive relative speed 1 + irregularity * smooth process (cut-off 1 Hz), floored at 0.2."""
    return np.maximum(1.0 + irregularity * brick_wall(rng, n, rate_hz, 1.0), 0.2)


def _spiral_path(subj: CohortSubject, rng, rate_hz: float, speed: float, size: float):
    turns, r_max = 5, 40.0 * size
    theta = np.linspace(0, 2 * np.pi * turns, 20001)
    rho = r_max * theta / theta[-1]
    px, py = rho * np.cos(theta), rho * np.sin(theta)  # theta increasing: anticlockwise (y up)
    s = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(px), np.diff(py)))])
    v_mean = 35.0 * speed
    n_max = int(s[-1] / v_mean * rate_hz * 2) + 10
    warp = _time_warp(rng, n_max, rate_hz, subj.traits["speed_irregularity"])
    sv = np.concatenate([[0.0], np.cumsum(v_mean * warp[:-1] / rate_hz)])
    n = int(np.searchsorted(sv, s[-1]))
    th = np.interp(sv[:n], s, theta)
    rr = r_max * th / theta[-1]
    return rr * np.cos(th), rr * np.sin(th)


def _letter_path(subj: CohortSubject, rng, rate_hz: float, speed: float, size: float, height_mm: float):
    n_letters = 8
    h = height_mm * size
    w = 0.45 * h
    c = 0.3 * w
    i = np.arange(n_letters)
    heights = h * (1 - subj.traits["size_decrement"] * i / (n_letters - 1))
    heights = heights * (1 + subj.traits["height_jitter"] * rng.standard_normal(n_letters))
    f_letters = 1.2 * np.sqrt(25.0 / height_mm) * speed
    n_max = int(n_letters / f_letters * rate_hz * 2) + 10
    warp = _time_warp(rng, n_max, rate_hz, subj.traits["speed_irregularity"])
    phase = np.concatenate([[0.0], np.cumsum(2 * np.pi * f_letters * warp[:-1] / rate_hz)])
    n = int(np.searchsorted(phase, 2 * np.pi * n_letters))
    ph = phase[:n]
    k = np.minimum((ph // (2 * np.pi)).astype(int), n_letters - 1)
    phi = ph - 2 * np.pi * k
    y = heights[k] * (1 - np.cos(phi)) / 2
    x = w * (k + phi / (2 * np.pi)) + c * np.sin(phi)
    tilt = np.radians(rng.normal(0, 1.5))  # the writing line's slope on the tablet (both lines alike)
    return x * np.cos(tilt) - y * np.sin(tilt), x * np.sin(tilt) + y * np.cos(tilt)


def draw_trial(subj: CohortSubject, task: str, repetition: int, rate_hz: float = 200.0, seed: int = 0) -> Trial:
    """Pen and EMG recordings of one repetition of ``task`` by ``subj`` (deterministic for a seed)."""
    if task not in TASK_NAMES:
        raise ValueError(f"task must be one of {TASK_NAMES}, got {task!r}")
    tr = subj.traits
    ss = np.random.SeedSequence([seed, repetition, TASK_NAMES.index(task)])
    rng_path, rng_pen, s_trem, s_emg = ss.spawn(4)
    rng = np.random.default_rng(rng_path)
    speed = tr["speed_factor"] * float(np.exp(rng.normal(0, 0.05)))
    size = tr["size_factor"] * float(np.exp(rng.normal(0, 0.03)))
    if task == "spiral":
        x, y = _spiral_path(subj, rng, rate_hz, speed, size)
    else:
        x, y = _letter_path(subj, rng, rate_hz, speed, size, _LETTER_HEIGHT_MM[task])
    n = x.size
    duration = n / rate_hz
    pd = subj.group != "healthy"
    trem = tremor_phantom(kind="pd" if pd else "physiological", duration_s=duration, rate_hz=rate_hz,
                          seed=int(s_trem.generate_state(1)[0]), n_axes=2, amplitude=tr["tremor_mm"],
                          noise_std=0.0, frequency_hz=tr["tremor_hz"], burst_depth=0.6 if pd else 0.0)
    rp = np.random.default_rng(rng_pen)
    x = x + trem.tremor[:, 0] + rp.normal(0, 0.002, n)
    y = y + trem.tremor[:, 1] + rp.normal(0, 0.002, n)
    x, y = np.round(x / 0.005) * 0.005, np.round(y / 0.005) * 0.005  # ~5080 lines per inch
    t = np.arange(n) / rate_hz
    tnorm = trem.tremor[:, 0] / max(tr["tremor_mm"], 1e-9)
    p_rel = tr["pressure_level"] * (1 + tr["pressure_variability"] * brick_wall(rp, n, rate_hz, 2.0)
                                    + 0.05 * subj.severity * tnorm)
    pressure = np.clip(np.round(p_rel * 2047), 1, 2047)
    tv = tr["tilt_variability_deg"]
    azimuth = tr["azimuth_deg"] + tv * brick_wall(rp, n, rate_hz, 1.0) + 2 * subj.severity * tnorm
    altitude = tr["altitude_deg"] + 0.6 * tv * brick_wall(rp, n, rate_hz, 1.0) + subj.severity * tnorm
    src = f"<pd cohort phantom: {subj.subject_id} {task} rep {repetition}>"
    pen = PenRecording(t=t, x=x, y=y, pressure=pressure, pen_down=np.ones(n, bool), azimuth=azimuth,
                       altitude=altitude, xy_unit="mm", source=src, subject=subj.subject_id,
                       meta={"task": task, "repetition": repetition, "group": subj.group, "rate_hz": rate_hz})
    emg = emg_phantom(duration_s=duration, rate_hz=rate_hz, seed=int(s_emg.generate_state(1)[0]),
                      effort=tr["emg_effort"], cocontraction=tr["cocontraction"], tremor_drive=trem.tremor[:, 0],
                      tremor_gain=tr["emg_tremor_gain"], full_scale=tr["emg_full_scale"], source=src,
                      subject=subj.subject_id)
    truth = {"severity": subj.severity, "duration_s": duration, "speed": speed, "size": size,
             "tremor_hz": trem.params["frequency_hz"], "tremor_mm": tr["tremor_mm"],
             "emg_clipped_fraction": emg.params["clipped_fraction"]}
    return Trial(subj.subject_id, subj.group, task, repetition, pen, emg.recording, truth)


def make_cohort(n_healthy: int = 11, n_mild: int = 12, n_moderate: int = 9, n_repetitions: int = 4,
                seed: int = 0, rate_hz: float = 200.0, tasks=TASK_NAMES) -> Cohort:
    """Draw the cohort and all its trials (default: the paper's 11 / 12 / 9 writers, 4 repetitions).

    Deterministic for a seed: subject ``k`` of a group and each trial have their own child seeds.
    """
    for name, v in (("n_healthy", n_healthy), ("n_mild", n_mild), ("n_moderate", n_moderate)):
        if int(v) < 0:
            raise ValueError(f"make_cohort: {name} must be >= 0, got {v}")
    if int(n_repetitions) < 2:
        raise ValueError(f"make_cohort: n_repetitions must be >= 2 (the first is discarded), got {n_repetitions}")
    ss = np.random.SeedSequence(seed)
    subjects, trials = [], []
    for g, (group, count) in enumerate(zip(GROUPS, (n_healthy, n_mild, n_moderate))):
        for k in range(int(count)):
            child = np.random.SeedSequence([seed, g, k])
            subj = _draw_subject(k + 1, group, np.random.default_rng(child))
            subjects.append(subj)
            trial_seed = int(child.generate_state(1)[0])
            for task in tasks:
                for rep in range(int(n_repetitions)):
                    trials.append(draw_trial(subj, task, rep, rate_hz, trial_seed))
    del ss
    return Cohort(subjects, trials, {"seed": seed, "rate_hz": rate_hz, "n_repetitions": n_repetitions,
                                     "counts": {"healthy": n_healthy, "mild": n_mild, "moderate": n_moderate}})
