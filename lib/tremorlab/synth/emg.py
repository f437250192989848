"""Myo-like 8-channel surface-EMG phantom (200 Hz, signed 8-bit counts) with known activations.

Model (per channel ``j`` of an armband around the forearm; channels 1-4 lie over the flexors,
5-8 over the extensors):

.. math::

    x_j(t) = \\mathrm{clip}_{[-128, 127]}\\Big(\\mathrm{round}\\big(G\\, g_j\\, a_j(t)\\, c_j(t)
             + \\sigma_n\\, w_j(t)\\big)\\Big),

    a_j(t) = \\underbrace{u\\, p_j\\, (1 + 0.3\\, s(t))}_{\\text{writing}}
           + \\underbrace{\\kappa\\, u\\, \\bar p}_{\\text{co-contraction}}
           + \\underbrace{\\tau\\, [\\pm d(t)]_+}_{\\text{tremor bursts}},

where ``c_j`` is unit-variance Gaussian noise band-passed to 20-95 Hz (the motor-unit carrier,
mixed with 15 % of each neighbour for cross-talk), ``p_j`` a smooth spatial activation pattern
around the band (mean ``p̄``), ``u`` the voluntary effort, ``s(t)`` a slow modulation, ``κ``
the co-contraction (antagonists active together, a PD sign), ``d(t)`` in [-1, 1] the tremor
drive (e.g. the primary axis of :func:`tremorlab.synth.tremor.tremor_phantom`, normalised):
flexor channels burst on its positive half-waves and extensor channels on its negative ones,
the alternating agonist/antagonist bursts of parkinsonian tremor.  ``g_j`` are electrode
gains (skin contact), ``G`` the full-scale factor in counts, ``σ_n`` the amplifier noise.

Because the carrier has unit variance and is independent of the activation, the expected
mean square of channel ``j`` before rounding is ``G^2 g_j^2 mean(a_j^2) + σ_n^2``: the ground
truth the RMS feature is tested against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tremorlab.dsp import bandpass
from tremorlab.io.types import EmgRecording
from tremorlab.synth.noise import brick_wall

__all__ = ["EmgPhantom", "emg_phantom", "FLEXOR_CHANNELS", "EXTENSOR_CHANNELS"]

FLEXOR_CHANNELS = (0, 1, 2, 3)
EXTENSOR_CHANNELS = (4, 5, 6, 7)


@dataclass(frozen=True)
class EmgPhantom:
    """A generated sEMG phantom: the recording and its ground truth.

    Attributes
    ----------
    recording : EmgRecording (counts, 8 channels)
    activation : ndarray (n, 8) -- ``a_j(t)``
    expected_rms : ndarray (8,) -- ``sqrt(G^2 g_j^2 mean(a_j^2) + sigma_n^2)`` (before rounding/clipping)
    params : dict -- every parameter given or drawn
    """

    recording: EmgRecording
    activation: np.ndarray
    expected_rms: np.ndarray
    params: dict[str, Any] = field(default_factory=dict)


def _carrier(rng, n: int, n_channels: int, rate_hz: float) -> np.ndarray:
    pad = 64
    w = rng.standard_normal((n + 2 * pad, n_channels))
    hi = min(95.0, 0.475 * rate_hz)
    c = bandpass(w, rate_hz, (20.0, hi), order=4, axis=0)[pad:pad + n]
    c = c + 0.15 * (np.roll(c, 1, axis=1) + np.roll(c, -1, axis=1))
    return c / c.std(axis=0)


def emg_phantom(duration_s: float = 10.0, rate_hz: float = 200.0, seed: int = 0, effort: float = 0.3,
                cocontraction: float = 0.0, tremor_drive: np.ndarray | None = None, tremor_gain: float = 0.0,
                full_scale: float = 100.0, noise_counts: float = 1.0, channel_gains=None,
                pattern_phase: float | None = None, source: str = "<emg phantom>", subject: str | None = None
                ) -> EmgPhantom:
    """Generate an 8-channel Myo-like sEMG recording (see the module docstring).

    Parameters
    ----------
    duration_s, rate_hz : length and rate (the Myo streams at 200 Hz)
    seed : int -- same arguments, same phantom
    effort : float >= 0 -- voluntary activation ``u``
    cocontraction : float >= 0 -- ``κ``
    tremor_drive : ndarray (n,), optional -- the tremor waveform; scaled to max |d| = 1
    tremor_gain : float >= 0 -- ``τ``
    full_scale : counts per unit activation ``G``
    noise_counts : amplifier noise std ``σ_n`` in counts
    channel_gains : 8 floats, optional -- default drawn ``U(0.7, 1.3)``
    pattern_phase : float, optional -- angle of the strongest channel (rad); default drawn

    Returns
    -------
    EmgPhantom
    """
    for name, v in (("duration_s", duration_s), ("rate_hz", rate_hz)):
        if not np.isfinite(v) or v <= 0:
            raise ValueError(f"emg_phantom: {name} must be a positive number, got {v!r}")
    for name, v in (("effort", effort), ("cocontraction", cocontraction), ("tremor_gain", tremor_gain),
                    ("full_scale", full_scale), ("noise_counts", noise_counts)):
        if not np.isfinite(v) or v < 0:
            raise ValueError(f"emg_phantom: {name} must be a finite number >= 0, got {v!r}")
    n = int(round(duration_s * rate_hz))
    if n < 20:
        raise ValueError(f"emg_phantom: duration_s * rate_hz must give >= 20 samples, got {n}")
    ss = np.random.SeedSequence(seed)
    rng_c, rng_p, rng_n = (np.random.default_rng(s) for s in ss.spawn(3))
    n_ch = 8
    t = np.arange(n) / rate_hz
    phase = rng_p.uniform(0, 2 * np.pi) if pattern_phase is None else float(pattern_phase)
    pattern = 0.5 + 0.5 * np.cos(2 * np.pi * np.arange(n_ch) / n_ch - phase)
    gains = rng_p.uniform(0.7, 1.3, n_ch) if channel_gains is None else np.asarray(channel_gains, dtype=float)
    if gains.shape != (n_ch,):
        raise ValueError(f"emg_phantom: channel_gains must be 8 numbers, got shape {gains.shape}")
    slow = brick_wall(rng_p, n, rate_hz, 0.5)
    act = effort * pattern[None, :] * (1.0 + 0.3 * slow[:, None])
    act = act + cocontraction * effort * pattern.mean()
    if tremor_drive is not None and tremor_gain > 0:
        d = np.asarray(tremor_drive, dtype=float)
        if d.shape != (n,):
            raise ValueError(f"emg_phantom: tremor_drive must have {n} samples (duration_s * rate_hz), got {d.shape}")
        peak = np.abs(d).max()
        d = d / peak if peak > 0 else d
        burst = np.zeros((n, n_ch))
        burst[:, list(FLEXOR_CHANNELS)] = np.clip(d, 0, None)[:, None]
        burst[:, list(EXTENSOR_CHANNELS)] = np.clip(-d, 0, None)[:, None]
        act = act + tremor_gain * burst
    carrier = _carrier(rng_c, n, n_ch, rate_hz)
    clean = full_scale * gains[None, :] * act * carrier + noise_counts * rng_n.standard_normal((n, n_ch))
    counts = np.clip(np.round(clean), -128, 127)
    expected = np.sqrt(full_scale ** 2 * gains ** 2 * np.mean(act ** 2, axis=0) + noise_counts ** 2)
    params = {"duration_s": float(duration_s), "rate_hz": float(rate_hz), "seed": seed, "effort": float(effort),
              "cocontraction": float(cocontraction), "tremor_gain": float(tremor_gain),
              "full_scale": float(full_scale), "noise_counts": float(noise_counts),
              "channel_gains": gains.tolist(), "pattern_phase": phase, "pattern": pattern.tolist(),
              "clipped_fraction": float(np.mean(np.abs(clean) > 127.5))}
    rec = EmgRecording(t=t, channels=counts, unit="counts", channel_names=[f"ch{i}" for i in range(1, 9)],
                       source=source, subject=subject, meta={"phantom": True, "rate_hz": float(rate_hz)})
    return EmgPhantom(recording=rec, activation=act, expected_rms=expected, params=params)
