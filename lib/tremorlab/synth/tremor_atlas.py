"""An 81-patient static-tremor atlas and the paper's pseudo-synthesised action tremor.

Stand-in for the private accelerometer cohort of Shahtalebi et al. (2020) ("Data collection",
"Data preparation"): 47 PD and 34 ET "patients", each with individual tremor parameters, six
static tasks (two rest, two postural, two weight-bearing), three accelerometer axes, generated
at 1500 Hz with :func:`tremorlab.synth.tremor.tremor_phantom` and downsampled to 100 Hz
(polyphase anti-alias filter, ``scipy.signal.resample_poly``), split by patient 49 / 16 / 16.

Patient parameters (ours, stated; ranges from the clinical descriptions the paper cites):
PD tremor frequency ``U(4, 6)`` Hz, ET ``U(4, 8)`` Hz; frequency drift ``U(0.1, 0.5)`` Hz;
envelope peak log-uniform in ``[0.05, 1]`` g; AM depth ``U(0.1, 0.6)``; burst depth
``U(0, 0.8)``; 2nd / 3rd harmonics ``U(0, 0.3)`` / ``U(0, 0.1)``; cross-axis coupling
``U(0.2, 0.9)``; sensor noise 0.005-0.02 g; gravity 1 g in a task-dependent direction.
Task effects: PD tremor is strongest at rest (amplitude x1 at rest, x0.6 in posture, x0.5
with load), ET the other way round (x0.3 at rest, x1 in posture, x1.2 with load) and loading
lowers the frequency by 0.5 Hz (a mass on the hand lowers its mechanical resonance).

Pseudo-synthesised action tremor (paper, Eq. 1): a segment of a static recording is min-max
scaled to ``[0, 0.5]``; a voluntary sinusoid ``a sin(2 pi f t + phi)``, ``a ~ U(0, 0.25)``,
``f ~ U(0, 3)`` Hz, ``phi ~ U(0, pi)`` is added, plus 0.25 so that the input lies in
``[0, 1]``.  The ground truth is ``0.25 + a sin(...) + c`` with ``c`` the mean of the scaled
static segment: the constant posture of a static task is not tremor (the paper does not say
how it treated that offset; see the chapter).
"""

from __future__ import annotations

import numpy as np
from scipy import signal as sps

from tremorlab.synth.tremor import tremor_phantom

__all__ = ["STATIC_TASKS", "tremor_atlas", "split_patients", "pseudo_action_windows"]

STATIC_TASKS = ("rest-1", "rest-2", "posture-1", "posture-2", "load-1", "load-2")
_TASK_GAIN = {"pd": {"rest": 1.0, "posture": 0.6, "load": 0.5}, "et": {"rest": 0.3, "posture": 1.0, "load": 1.2}}


def _patient_params(rng: np.random.Generator, kind: str) -> dict:
    lo, hi = (4.0, 6.0) if kind == "pd" else (4.0, 8.0)
    return {
        "kind": kind,
        "frequency_hz": float(rng.uniform(lo, hi)),
        "drift_hz": float(rng.uniform(0.1, 0.5)),
        "amplitude_g": float(np.exp(rng.uniform(np.log(0.05), np.log(1.0)))),
        "am_depth": float(rng.uniform(0.1, 0.6)),
        "burst_depth": float(rng.uniform(0.0, 0.8)),
        "harmonics": (float(rng.uniform(0, 0.3)), float(rng.uniform(0, 0.1))),
        "coupling": float(rng.uniform(0.2, 0.9)),
        "noise_g": float(rng.uniform(0.005, 0.02)),
    }


def tremor_atlas(n_patients: int = 81, n_pd: int = 47, tasks=STATIC_TASKS, duration_s: float = 20.0,
                 generate_rate_hz: float = 1500.0, rate_hz: float = 100.0, seed: int = 0) -> dict:
    """Generate the atlas: one 3-axis recording per patient and task.

    Returns
    -------
    dict with ``signals`` (n_rec, n_samples, 3) at ``rate_hz`` in g, ``patient`` (n_rec,)
    patient index, ``kind`` (n_rec,) "pd"/"et", ``task`` (n_rec,), ``patients`` (list of each
    patient's parameters), ``rate_hz``.
    """
    if not 1 <= n_pd <= n_patients:
        raise ValueError(f"n_pd must lie in 1..n_patients ({n_patients}), got {n_pd}")
    bad = [t for t in tasks if t not in STATIC_TASKS]
    if bad or not tasks:
        raise ValueError(f"tasks must be a non-empty subset of {STATIC_TASKS}, got {tasks}")
    up, down = 1, int(round(generate_rate_hz / rate_hz))
    if not np.isclose(generate_rate_hz / down, rate_hz):
        raise ValueError(f"generate_rate_hz ({generate_rate_hz}) must be an integer multiple of rate_hz ({rate_hz})")
    ss = np.random.SeedSequence(seed)
    kinds = np.array(["pd"] * n_pd + ["et"] * (n_patients - n_pd))
    patients, signals, pid, kind_out, task_out = [], [], [], [], []
    for p, child in enumerate(ss.spawn(n_patients)):
        rng = np.random.default_rng(child)
        par = _patient_params(rng, kinds[p])
        patients.append(par)
        for ti, task in enumerate(tasks):
            cond = task.split("-")[0]
            f = par["frequency_hz"] - (0.5 if cond == "load" else 0.0)
            ph = tremor_phantom(
                kind=par["kind"], duration_s=duration_s, rate_hz=generate_rate_hz,
                seed=int(rng.integers(0, 2**31 - 1)), n_axes=3,
                amplitude=par["amplitude_g"] * _TASK_GAIN[par["kind"]][cond], noise_std=par["noise_g"],
                frequency_hz=f, drift_hz=min(par["drift_hz"], f - 1.0), am_depth=par["am_depth"],
                burst_depth=par["burst_depth"], harmonics=par["harmonics"], coupling=par["coupling"], gravity=1.0)
            x = sps.resample_poly(ph.signal, up, down, axis=0)
            signals.append(x)
            pid.append(p)
            kind_out.append(par["kind"])
            task_out.append(task)
    return {"signals": np.stack(signals), "patient": np.array(pid), "kind": np.array(kind_out),
            "task": np.array(task_out), "patients": patients, "rate_hz": float(rate_hz)}


def split_patients(n_patients: int = 81, sizes: tuple[int, int, int] = (49, 16, 16), seed: int = 0
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Disjoint train / validation / test patient indices of the given sizes (shuffled)."""
    if sum(sizes) != n_patients or min(sizes) < 1:
        raise ValueError(f"sizes {sizes} must be positive and add up to n_patients={n_patients}")
    perm = np.random.default_rng(seed).permutation(n_patients)
    a, b = sizes[0], sizes[0] + sizes[1]
    return np.sort(perm[:a]), np.sort(perm[a:b]), np.sort(perm[b:])


def pseudo_action_windows(records, n_windows: int, window: int = 400, run_in: int = 400,
                          rate_hz: float = 100.0, seed: int = 0, amplitude_max: float = 0.25,
                          frequency_max_hz: float = 3.0, groups=None) -> dict:
    """Pseudo-synthesised action-tremor windows from static recordings.

    Parameters
    ----------
    records : sequence of 1-D arrays (static recordings, any lengths) at ``rate_hz``.
    n_windows : int
    window, run_in : int
        Samples scored, and samples before them (a run-in for adaptive filters; 0 for none).
    groups : sequence, optional
        Group (e.g. patient) of each record, copied to the output per window.

    Returns
    -------
    dict with ``input`` (n_windows, run_in + window + 1) in [0, 1], ``truth`` (same shape, the
    voluntary ground truth), ``record`` (n_windows,), ``group``, ``a``, ``f``, ``phi``,
    ``offset`` (the mean of the scaled static segment).  PHTNet reads ``input[:, run_in:-1]``
    with target ``truth[:, run_in + 1:]``.
    """
    recs = [np.asarray(r, dtype=float) for r in records]
    need = run_in + window + 1
    ok = [i for i, r in enumerate(recs) if r.ndim == 1 and r.size >= need and np.all(np.isfinite(r)) and np.ptp(r) > 0]
    if not ok:
        raise ValueError(f"no record holds {need} finite, non-constant samples (window {window} + run-in {run_in} + 1)")
    rng = np.random.default_rng(seed)
    pick = rng.choice(ok, size=int(n_windows), replace=True)
    t = np.arange(need) / rate_hz
    x_in = np.empty((n_windows, need))
    truth = np.empty((n_windows, need))
    a = rng.uniform(0, amplitude_max, n_windows)
    f = rng.uniform(0, frequency_max_hz, n_windows)
    phi = rng.uniform(0, np.pi, n_windows)
    offsets = np.empty(n_windows)
    for k, i in enumerate(pick):
        r = recs[i]
        for _ in range(100):               # a still stretch of a record cannot be scaled: draw again
            start = int(rng.integers(0, r.size - need + 1))
            seg = r[start:start + need]
            if np.ptp(seg) > 0:
                break
        else:
            raise ValueError(f"record {i}: no non-constant stretch of {need} samples found in 100 draws")
        seg = 0.5 * (seg - seg.min()) / (seg.max() - seg.min())
        vol = a[k] * np.sin(2 * np.pi * f[k] * t + phi[k])
        offsets[k] = seg.mean()
        x_in[k] = 0.25 + vol + seg
        truth[k] = 0.25 + vol + offsets[k]
    grp = None if groups is None else np.asarray(groups)[pick]
    return {"input": x_in, "truth": truth, "record": pick, "group": grp, "a": a, "f": f, "phi": phi,
            "offset": offsets, "window": window, "run_in": run_in, "rate_hz": rate_hz}
