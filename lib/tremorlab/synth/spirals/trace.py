"""The patient: a sheet's drawing and tremor parameters from its latent severity
(:func:`sample_params`) and the simulated pen path with its ground truth (:func:`draw_trace`).
See :mod:`tremorlab.synth.spirals` for the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tremorlab.synth.noise import ar1
from tremorlab.synth.spirals.raters import true_grade
from tremorlab.synth.spirals.template import SpiralTemplate, count_crossings

__all__ = ["INKS", "AMP_NODES", "INK_WEIGHTS", "TremorParams", "sample_params", "Trace", "draw_trace"]

#: Pen inks (RGB): blue, dark blue, violet, blue-black, red, green ballpoints and felt pens.
INKS = np.array([[35, 55, 190], [25, 35, 120], [80, 40, 150], [30, 35, 75], [170, 30, 35], [20, 110, 60]],
                dtype=float)
#: Median peak tremor amplitude (mm) at latent severity z (log-linear in between).
AMP_NODES = (np.array([-0.5, 0, 1, 2, 3, 4, 4.5]), np.array([0.08, 0.12, 0.45, 1.2, 2.8, 6.0, 8.5]))
INK_WEIGHTS = np.array([0.42, 0.2, 0.1, 0.15, 0.07, 0.06])


@dataclass(frozen=True)
class TremorParams:
    """Drawing and tremor parameters of one sheet (all in mm, s, Hz)."""

    severity: float          # latent z; round(z) is the true CRST grade
    amplitude_mm: float      # peak tremor amplitude along the hand axis
    frequency_hz: float      # tremor frequency (4-12 Hz)
    speed_mm_s: float        # mean drawing speed along the channel
    phase_noise: float       # phase diffusion (rad / sqrt(s)): irregularity
    amp_modulation: float    # depth of slow amplitude modulation
    axis_deg: float          # direction of the tremor axis in the sheet frame
    ellipticity: float       # minor / major axis of the tremor ellipse
    drift_mm: float          # stationary s.d. of the slow drift across the channel
    n_slips: int             # brief large excursions across the channel (1-4.5 mm)
    completion: float        # fraction of the channel drawn (1 = reaches the outer dot)
    hesitation: float        # depth of stop-and-go speed changes (0-1)
    n_gaps: int              # pen lifts (small ink gaps)
    ink_width_mm: float
    ink_rgb: tuple


def sample_params(severity: float, rng: np.random.Generator) -> TremorParams:
    """Draw one sheet's parameters from its latent severity ``z`` (see module docstring).

    Rules (Table 1 of the paper, turned into numbers): median amplitude 0.12, 0.45, 1.2, 2.8
    and 6 mm at grades 0-4 (:data:`AMP_NODES`, log-linear between, log-normal spread 0.2), so
    grade 0 stays within the ink width, grade 1 crosses occasionally, grade 2 frequently; frequency :math:`9 - 0.9z` Hz
    (+-0.8, clipped to 4-12); speed :math:`40/(1+0.3z)` mm/s; irregularity, drift
    (s.d. :math:`0.3 + 0.6z` mm), slips across the channel (Poisson, mean :math:`0.7z`),
    hesitation and gaps rise with :math:`z`; at true grade 4 the patient stops after 25-85 % of the path.
    """
    z = float(severity)
    g = int(true_grade(z))
    ink = int(rng.choice(len(INKS), p=INK_WEIGHTS))
    return TremorParams(
        severity=z,
        amplitude_mm=float(np.exp(np.interp(z, AMP_NODES[0], np.log(AMP_NODES[1]))) * rng.lognormal(0, 0.2)),
        frequency_hz=float(np.clip(rng.normal(9.0 - 0.9 * z, 0.8), 4.0, 12.0)),
        speed_mm_s=float(40.0 / (1 + 0.3 * max(z, 0)) * rng.lognormal(0, 0.15)),
        phase_noise=float(0.4 + 0.5 * max(z, 0)),
        amp_modulation=float(0.15 + 0.08 * max(z, 0)),
        axis_deg=float(rng.uniform(0, 180)),
        ellipticity=float(rng.uniform(0.1, 0.5)),
        drift_mm=float(0.3 + 0.6 * max(z, 0)),
        n_slips=int(rng.poisson(0.7 * max(z, 0))),
        completion=float(rng.uniform(0.25, 0.85)) if g == 4 else 1.0,
        hesitation=float(np.clip(0.12 * max(z, 0) + rng.normal(0, 0.05), 0, 0.7)),
        n_gaps=int(rng.poisson(0.5 + 0.8 * max(z, 0))),
        ink_width_mm=float(rng.uniform(0.35, 0.8)),
        ink_rgb=tuple(np.clip(INKS[ink] + rng.normal(0, 12, 3), 0, 255)),
    )


@dataclass
class Trace:
    """The pen path of one sheet and its ground truth."""

    t: np.ndarray            # s
    xy: np.ndarray           # (n, 2) mm, sheet frame
    pressure: np.ndarray     # 0-1
    pen_down: np.ndarray     # bool
    params: TremorParams
    truth: dict = field(default_factory=dict)


def draw_trace(params: TremorParams, template: SpiralTemplate = SpiralTemplate(), rng=None,
               sampling_rate_hz: float = 120.0) -> Trace:
    """Simulate the pen path (see the module docstring for the model) and its ground truth.

    ``truth`` holds ``amplitude_mm`` (the true peak tremor amplitude), ``frequency_hz``,
    ``crossings`` (:func:`count_crossings`), ``rms_deviation_mm`` (distance across the
    channel from its centre, RMS over inked samples), ``out_of_channel`` (fraction of inked
    samples beyond the printed line), ``completion`` and ``duration_s``.
    """
    rng = np.random.default_rng(rng)
    fs = sampling_rate_hz
    th0, th1 = template.channel_theta
    total = float(template.arc_length(np.array(th1)))
    goal = total * params.completion
    # speed with stop-and-go hesitation; integrate until the goal arc length is reached
    n_max = int(fs * 3 * goal / params.speed_mm_s) + 10
    hes = ar1(rng, n_max, fs, 0.4)
    speed = params.speed_mm_s * np.clip(1 + params.hesitation * 1.5 * hes, 0.05, None)
    s = np.concatenate([[0.0], np.cumsum(speed[:-1]) / fs])
    n = int(np.searchsorted(s, goal)) + 1
    s = np.minimum(s[:n], goal)
    t = np.arange(n) / fs
    # arc length -> angle on the centre line (closed-form arc length, inverted by interpolation)
    th_grid = np.linspace(th0, th1, 4000)
    theta = np.interp(s, template.arc_length(th_grid), th_grid)
    centre = template.centre_line(theta)
    # outward normal of the centre line r = b(theta + pi)
    rr = template.b * (theta + np.pi)
    tang = np.column_stack([template.b * np.cos(theta) - rr * np.sin(theta),
                            template.b * np.sin(theta) + rr * np.cos(theta)])
    tang /= np.linalg.norm(tang, axis=1, keepdims=True)
    normal = np.column_stack([tang[:, 1], -tang[:, 0]])
    drift = params.drift_mm * ar1(rng, n, fs, 0.25)
    for _ in range(params.n_slips):  # a slip: a smooth bump across the channel, then a correction
        centre_t, width = rng.uniform(0, t[-1]), rng.uniform(0.15, 0.5)
        drift += rng.choice([-1, 1]) * rng.uniform(1.0, 4.5) * np.exp(-0.5 * ((t - centre_t) / width) ** 2)
    # tremor along a fixed hand axis, irregular phase, modulated amplitude
    phase = 2 * np.pi * params.frequency_hz * t + params.phase_noise * np.cumsum(rng.standard_normal(n)) / np.sqrt(fs)
    phase += rng.uniform(0, 2 * np.pi)
    amp = params.amplitude_mm * np.clip(1 + params.amp_modulation * ar1(rng, n, fs, 0.5), 0.2, None)
    ax = np.deg2rad(params.axis_deg)
    u = np.array([np.cos(ax), np.sin(ax)])
    v = np.array([-np.sin(ax), np.cos(ax)])
    tremor = amp[:, None] * (np.sin(phase)[:, None] * u + params.ellipticity * np.cos(phase)[:, None] * v)
    xy = centre + drift[:, None] * normal + tremor
    # pressure and small pen lifts
    pressure = np.clip(rng.uniform(0.55, 0.95) + 0.15 * ar1(rng, n, fs, 0.8), 0.05, 1.0)
    down = np.ones(n, bool)
    for _ in range(params.n_gaps):
        start = int(rng.integers(0, max(n - 1, 1)))
        down[start:start + int(rng.uniform(0.05, 0.3) * fs)] = False
    down[:2] = True
    dev = np.einsum("ij,ij->i", xy - centre, normal)  # signed distance from the intended channel centre
    half = 0.5 * (template.pitch_mm - template.line_width_mm)
    truth = {"grade": int(true_grade(params.severity)), "severity": params.severity,
             "amplitude_mm": params.amplitude_mm, "frequency_hz": params.frequency_hz,
             "crossings": count_crossings(xy, down, template),
             "rms_deviation_mm": float(np.sqrt(np.mean(dev[down] ** 2))),
             "out_of_channel": float(np.mean(np.abs(dev[down]) > half)),
             "completion": params.completion, "duration_s": float(t[-1])}
    return Trace(t=t, xy=xy, pressure=pressure, pen_down=down, params=params, truth=truth)
