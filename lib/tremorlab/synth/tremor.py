"""Tremor phantom: multi-axis hand tremor with a known ground truth.

A phantom is the sum of three parts, each returned separately so that a filter's estimate can
be scored against the truth::

    signal = voluntary + tremor + noise                                   (n, n_axes)

The tremor on axis ``j`` is a frequency- and amplitude-modulated oscillation with harmonics,

.. math::

    \\theta(t) = \\theta_0 + 2\\pi \\int_0^t f(\\tau)\\,d\\tau, \\qquad
    f(t) = f_0 + \\Delta f\\, d(t),

    y_j(t) = g_j\\, e(t) \\Big[\\cos(\\theta(t) + \\varphi_j)
             + \\sum_{k=2}^{K+1} h_k \\cos(k\\,(\\theta(t) + \\varphi_j) + \\psi_k)\\Big],

    e(t) = A\\, \\frac{(1 + m\\, s(t))\\, b(t)}{\\max_t\\,(1 + m\\, s(t))\\, b(t)},

where ``d(t)`` and ``s(t)`` are smooth random processes scaled to ``max|.| = 1`` (band-limited
Gaussian noise below ``drift_cutoff_hz`` / ``am_cutoff_hz``), so the instantaneous frequency
never leaves ``f_0 +- drift_hz`` and the envelope peaks exactly at ``amplitude``; ``b(t)`` is a
burst gate (on/off episodes with exponential durations and raised-cosine edges, depth
``burst_depth``); ``g_j`` and ``varphi_j`` are the cross-axis gains and phase lags (axis 0 is
the primary axis, ``g_0 = 1``, ``varphi_0 = 0``). These are the properties that make real
tremor hard to cancel: the frequency drifts, the amplitude waxes and wanes and comes in bursts,
the waveform is not a pure sine, and every axis carries a copy of it
(Shahtalebi et al. 2020, "Introduction"; PD rest tremor is typically 4-6 Hz, ET 4-8 Hz).

The voluntary part is a sum of slow sinusoids below ``voluntary_max_hz`` (< 3 Hz) plus a
constant gravity/offset vector; the noise part is white Gaussian sensor noise, optionally
quantised to ``quantization`` (one LSB of the sensor).

Everything is vectorised numpy; the three parts draw from independent child streams of
``numpy.random.SeedSequence(seed)``, so e.g. changing ``noise_std`` does not change the tremor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tremorlab.synth.noise import brick_wall

__all__ = ["TREMOR_KINDS", "TremorPhantom", "tremor_phantom"]

#: Tremor band (Hz) of each kind: PD rest tremor, essential tremor, physiological tremor.
TREMOR_KINDS: dict[str, tuple[float, float]] = {
    "pd": (3.0, 7.0),
    "et": (4.0, 8.0),
    "physiological": (8.0, 12.0),
}


@dataclass(frozen=True)
class TremorPhantom:
    """One generated phantom: the parts and the ground truth.

    Attributes
    ----------
    t : ndarray, shape (n,)
        Time in seconds, ``k / rate_hz``.
    tremor, voluntary, noise : ndarray, shape (n, n_axes)
        The three additive parts.
    inst_freq_hz : ndarray, shape (n,)
        Instantaneous frequency of the tremor fundamental, ``f(t)``.
    envelope : ndarray, shape (n,)
        Envelope of the fundamental on the primary axis (axis 0), ``e(t)``; its maximum is
        ``amplitude``.
    params : dict
        Every parameter, given or drawn (the ground truth of the draw).
    """

    t: np.ndarray
    tremor: np.ndarray
    voluntary: np.ndarray
    noise: np.ndarray
    inst_freq_hz: np.ndarray
    envelope: np.ndarray
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def signal(self) -> np.ndarray:
        """``voluntary + tremor + noise``, shape (n, n_axes)."""
        return self.voluntary + self.tremor + self.noise

    @property
    def rate_hz(self) -> float:
        return float(self.params["rate_hz"])

    @property
    def kind(self) -> str:
        return str(self.params["kind"])

    def __len__(self) -> int:
        return int(self.t.size)


def _err(name: str, expected: str, got: Any) -> ValueError:
    return ValueError(f"tremor_phantom: {name} must be {expected}; got {got!r}")


def _finite(name: str, value: Any, lo: float | None = None, hi: float | None = None,
            lo_open: bool = False, hi_open: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise _err(name, "a real number", value) from None
    ok = np.isfinite(v)
    if ok and lo is not None:
        ok = v > lo if lo_open else v >= lo
    if ok and hi is not None:
        ok = v < hi if hi_open else v <= hi
    if not ok:
        lo_s = "" if lo is None else ("> " if lo_open else ">= ") + f"{lo:g}"
        hi_s = "" if hi is None else ("< " if hi_open else "<= ") + f"{hi:g}"
        expected = "a finite number" + (" " if lo_s or hi_s else "") + " and ".join(s for s in (lo_s, hi_s) if s)
        raise _err(name, expected, value)
    return v


def _burst_gate(rng: np.random.Generator, t: np.ndarray, rate_hz: float, depth: float,
                on_s: float, off_s: float, ramp_s: float) -> np.ndarray:
    """Gate in [1 - depth, 1]: on episodes (1) and off episodes (1 - depth), smooth edges."""
    n = t.size
    duration = n / rate_hz
    # enough alternating episodes to cover the record (expected length on_s + off_s per pair)
    n_pairs = int(np.ceil(duration / (on_s + off_s) * 3)) + 4
    on = rng.exponential(on_s, n_pairs)
    off = rng.exponential(off_s, n_pairs)
    starts_on = rng.random() < on_s / (on_s + off_s)
    seq = np.empty(2 * n_pairs)
    if starts_on:
        seq[0::2], seq[1::2] = on, off
    else:
        seq[0::2], seq[1::2] = off, on
    edges = np.cumsum(seq)
    # before making it smooth, pad the record so the ramp has no edge effect
    episode = np.searchsorted(edges, t - t[0], side="right")
    is_on = (episode % 2 == 0) == starts_on
    raw = np.where(is_on, 1.0, 1.0 - depth)
    w = max(int(round(ramp_s * rate_hz)), 1)
    if w > 1 and n > 1:
        kernel = np.hanning(w + 2)[1:-1]
        kernel /= kernel.sum()
        padded = np.concatenate([np.full(w, raw[0]), raw, np.full(w, raw[-1])])
        raw = np.convolve(padded, kernel, mode="same")[w:w + n]
    return raw


def tremor_phantom(kind: str = "pd", duration_s: float = 20.0, rate_hz: float = 200.0, seed: int = 0,
                   n_axes: int = 3, amplitude: float = 1.0, voluntary_amplitude: float = 0.0,
                   noise_std: float = 0.01, *,
                   frequency_hz: float | None = None,
                   drift_hz: float = 0.25, drift_cutoff_hz: float = 0.2,
                   am_depth: float = 0.3, am_cutoff_hz: float = 0.5,
                   burst_depth: float = 0.0, burst_on_s: float = 3.0, burst_off_s: float = 1.0,
                   burst_ramp_s: float = 0.3,
                   harmonics: tuple[float, ...] | list[float] = (0.15, 0.05),
                   coupling: float = 0.5,
                   voluntary_max_hz: float = 2.0, n_voluntary: int = 3,
                   gravity: float = 0.0,
                   quantization: float = 0.0) -> TremorPhantom:
    """Generate a tremor phantom with known parts (see the module docstring for the model).

    Parameters
    ----------
    kind : {"pd", "et", "physiological"}
        Selects the band of :data:`TREMOR_KINDS` from which ``f_0`` is drawn, uniformly in
        ``[lo + drift_hz, hi - drift_hz]`` so that ``f(t)`` stays inside the band.
    duration_s, rate_hz : float
        Length (s) and sampling rate (Hz); ``n = round(duration_s * rate_hz)`` samples.
    seed : int
        Seed of ``numpy.random.SeedSequence``; same arguments, same phantom.
    n_axes : int
        Number of axes (1 to 16).
    amplitude : float
        Peak of the tremor envelope on the primary axis (signal units), ``>= 0``.
    voluntary_amplitude : float
        Peak of the voluntary motion per axis (0: none; the gravity offset is still added).
    noise_std : float
        Standard deviation of the white sensor noise.
    frequency_hz : float, optional
        Fix ``f_0`` instead of drawing it (any value with ``0 < f_0 - drift_hz`` and the highest
        harmonic below Nyquist).
    drift_hz, drift_cutoff_hz : float
        Largest excursion of the instantaneous frequency from ``f_0`` and the bandwidth of the
        drift process.
    am_depth, am_cutoff_hz : float
        Depth ``m`` in [0, 1) and bandwidth of the slow amplitude modulation.
    burst_depth, burst_on_s, burst_off_s, burst_ramp_s : float
        Bursts: during off episodes the envelope drops by ``burst_depth`` (0: no bursts, 1: the
        tremor stops); mean on/off durations (exponential) and edge ramp length.
    harmonics : sequence of float
        Relative amplitudes ``h_2, h_3, ...`` of the harmonics (``()``: a pure fundamental).
    coupling : float
        Cross-axis coupling in [0, 1]: the secondary axes carry the tremor with gains
        ``coupling * U(0.4, 1)`` and phase lags ``coupling * U(-pi/2, pi/2)``.
    voluntary_max_hz, n_voluntary : float, int
        Highest frequency and number of the voluntary sinusoids per axis; ``voluntary_max_hz``
        must lie below 3 Hz and below the tremor band.
    gravity : float
        Magnitude of a constant offset vector in a random direction (e.g. 9.81 for an
        accelerometer in m/s^2), added to ``voluntary``.
    quantization : float
        Sensor resolution; when > 0 the noisy signal is rounded to this step and the rounding
        error is folded into ``noise`` (so ``signal`` stays the sum of the parts).

    Returns
    -------
    TremorPhantom

    Raises
    ------
    ValueError
        Naming the argument and what was expected (unknown kind, non-positive rate, a drift
        wider than half the band, a harmonic above Nyquist, ...).

    Examples
    --------
    >>> ph = tremor_phantom("et", duration_s=10, rate_hz=100, seed=1)
    >>> ph.signal.shape
    (1000, 3)
    """
    if kind not in TREMOR_KINDS:
        raise _err("kind", f"one of {sorted(TREMOR_KINDS)}", kind)
    lo_band, hi_band = TREMOR_KINDS[kind]
    rate_hz = _finite("rate_hz", rate_hz, 0.0, lo_open=True)
    duration_s = _finite("duration_s", duration_s, 0.0, lo_open=True)
    n = int(round(duration_s * rate_hz))
    if n < 2:
        raise _err("duration_s * rate_hz", "at least 2 samples", duration_s * rate_hz)
    if isinstance(n_axes, bool) or not isinstance(n_axes, (int, np.integer)) or not 1 <= n_axes <= 16:
        raise _err("n_axes", "an integer from 1 to 16", n_axes)
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise _err("seed", "an integer", seed) from None
    if seed < 0:
        raise _err("seed", "a non-negative integer", seed)
    amplitude = _finite("amplitude", amplitude, 0.0)
    voluntary_amplitude = _finite("voluntary_amplitude", voluntary_amplitude, 0.0)
    noise_std = _finite("noise_std", noise_std, 0.0)
    drift_hz = _finite("drift_hz", drift_hz, 0.0)
    drift_cutoff_hz = _finite("drift_cutoff_hz", drift_cutoff_hz, 0.0, lo_open=True)
    am_depth = _finite("am_depth", am_depth, 0.0, 1.0, hi_open=True)
    am_cutoff_hz = _finite("am_cutoff_hz", am_cutoff_hz, 0.0, lo_open=True)
    burst_depth = _finite("burst_depth", burst_depth, 0.0, 1.0)
    burst_on_s = _finite("burst_on_s", burst_on_s, 0.0, lo_open=True)
    burst_off_s = _finite("burst_off_s", burst_off_s, 0.0, lo_open=True)
    burst_ramp_s = _finite("burst_ramp_s", burst_ramp_s, 0.0)
    coupling = _finite("coupling", coupling, 0.0, 1.0)
    gravity = _finite("gravity", gravity, 0.0)
    quantization = _finite("quantization", quantization, 0.0)
    voluntary_max_hz = _finite("voluntary_max_hz", voluntary_max_hz, 0.0, 3.0, lo_open=True)
    if isinstance(n_voluntary, bool) or not isinstance(n_voluntary, (int, np.integer)) or n_voluntary < 1:
        raise _err("n_voluntary", "a positive integer", n_voluntary)
    try:
        harmonics = tuple(float(h) for h in harmonics)
    except (TypeError, ValueError):
        raise _err("harmonics", "a sequence of relative amplitudes", harmonics) from None
    if not all(np.isfinite(h) and h >= 0 for h in harmonics):
        raise _err("harmonics", "finite non-negative relative amplitudes", harmonics)

    nyquist = rate_hz / 2
    if frequency_hz is None:
        if 2 * drift_hz >= hi_band - lo_band:
            raise _err("drift_hz", f"less than half the {kind!r} band width ({(hi_band - lo_band) / 2:g} Hz)",
                       drift_hz)
    else:
        frequency_hz = _finite("frequency_hz", frequency_hz, 0.0, lo_open=True)
        if frequency_hz - drift_hz <= 0:
            raise _err("frequency_hz - drift_hz", "positive (the frequency may not drift through 0 Hz)",
                       frequency_hz - drift_hz)
    f_top = (hi_band if frequency_hz is None else frequency_hz + drift_hz) * (len(harmonics) + 1)
    if f_top >= nyquist:
        raise _err("rate_hz", f"above {2 * f_top:g} Hz so that the highest harmonic "
                   f"({len(harmonics) + 1} x up to {f_top / (len(harmonics) + 1):g} Hz) lies below Nyquist "
                   "(or pass fewer harmonics)", rate_hz)
    if voluntary_amplitude > 0 and voluntary_max_hz >= (lo_band if frequency_hz is None else frequency_hz - drift_hz):
        raise _err("voluntary_max_hz", "below the lowest tremor frequency", voluntary_max_hz)

    ss = np.random.SeedSequence(seed)
    rng_tremor, rng_vol, rng_noise = (np.random.default_rng(s) for s in ss.spawn(3))
    t = np.arange(n) / rate_hz

    # --- tremor: frequency, phase, envelope, harmonics, axes (fixed draw order) -------------
    f0_draw = rng_tremor.uniform(lo_band + drift_hz, hi_band - drift_hz) if frequency_hz is None else None
    f0 = float(frequency_hz) if frequency_hz is not None else float(f0_draw)
    phase0 = float(rng_tremor.uniform(0, 2 * np.pi))
    drift = brick_wall(rng_tremor, n, rate_hz, drift_cutoff_hz)
    inst_freq = f0 + drift_hz * drift
    # phase by the trapezoid rule, exact for a piecewise-linear f(t)
    dphase = np.pi * (inst_freq[1:] + inst_freq[:-1]) / rate_hz
    theta = phase0 + np.concatenate([[0.0], np.cumsum(dphase)])
    am = brick_wall(rng_tremor, n, rate_hz, am_cutoff_hz)
    gate = _burst_gate(rng_tremor, t, rate_hz, burst_depth, burst_on_s, burst_off_s, burst_ramp_s)
    shape = (1.0 + am_depth * am) * gate
    envelope = amplitude * shape / shape.max()
    harmonic_phases = rng_tremor.uniform(0, 2 * np.pi, len(harmonics))
    gains = np.ones(n_axes)
    lags = np.zeros(n_axes)
    if n_axes > 1:
        gains[1:] = coupling * rng_tremor.uniform(0.4, 1.0, n_axes - 1)
        lags[1:] = coupling * rng_tremor.uniform(-np.pi / 2, np.pi / 2, n_axes - 1)
    th = theta[:, None] + lags[None, :]
    wave = np.cos(th)
    for k, (h, psi) in enumerate(zip(harmonics, harmonic_phases), start=2):
        wave = wave + h * np.cos(k * th + psi)
    tremor = envelope[:, None] * gains[None, :] * wave

    # --- voluntary motion and gravity -----------------------------------------------------
    vol_freqs = rng_vol.uniform(0.05, voluntary_max_hz, (n_voluntary, n_axes))
    vol_phases = rng_vol.uniform(0, 2 * np.pi, (n_voluntary, n_axes))
    vol_weights = rng_vol.uniform(0.2, 1.0, (n_voluntary, n_axes))
    g_dir = rng_vol.standard_normal(n_axes)
    g_dir = g_dir / np.linalg.norm(g_dir)
    voluntary = np.zeros((n, n_axes))
    if voluntary_amplitude > 0:
        arg = 2 * np.pi * t[:, None, None] * vol_freqs[None] + vol_phases[None]
        v = np.sum(vol_weights[None] * np.sin(arg), axis=1)
        v = v - v.mean(axis=0)
        peak = np.max(np.abs(v), axis=0)
        voluntary = voluntary_amplitude * v / np.where(peak > 0, peak, 1.0)
    gravity_vector = gravity * g_dir
    voluntary = voluntary + gravity_vector[None, :]

    # --- sensor noise (and quantisation folded into it) -------------------------------------
    noise = noise_std * rng_noise.standard_normal((n, n_axes))
    if quantization > 0:
        clean = voluntary + tremor + noise
        noise = noise + (np.round(clean / quantization) * quantization - clean)

    params: dict[str, Any] = {
        "kind": kind, "band_hz": (lo_band, hi_band), "duration_s": duration_s, "rate_hz": rate_hz,
        "n_samples": n, "seed": seed, "n_axes": int(n_axes), "amplitude": amplitude,
        "voluntary_amplitude": voluntary_amplitude, "noise_std": noise_std,
        "frequency_hz": f0, "phase0": phase0, "drift_hz": drift_hz, "drift_cutoff_hz": drift_cutoff_hz,
        "am_depth": am_depth, "am_cutoff_hz": am_cutoff_hz,
        "burst_depth": burst_depth, "burst_on_s": burst_on_s, "burst_off_s": burst_off_s,
        "burst_ramp_s": burst_ramp_s,
        "harmonics": harmonics, "harmonic_phases": tuple(float(p) for p in harmonic_phases),
        "coupling": coupling, "axis_gains": tuple(float(g) for g in gains),
        "axis_lags": tuple(float(x) for x in lags),
        "voluntary_max_hz": voluntary_max_hz, "n_voluntary": int(n_voluntary),
        "voluntary_freqs_hz": vol_freqs.tolist(), "voluntary_phases": vol_phases.tolist(),
        "voluntary_weights": vol_weights.tolist(),
        "gravity": gravity, "gravity_vector": tuple(float(g) for g in gravity_vector),
        "quantization": quantization,
    }
    return TremorPhantom(t=t, tremor=tremor, voluntary=voluntary, noise=noise, inst_freq_hz=inst_freq,
                         envelope=envelope, params=params)
