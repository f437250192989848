"""Orbital shaking-table phantom: the accelerometer signal of a pen clamped to a shaker.

Tironi et al. (2025) validated the pen on an orbital shaking table, first at a constant speed
and then with the speed changed during the run (31 trials each).  The table's settings are
not published; this module simulates the signal the pen's ADXL345 would measure.

A table orbiting on a circle of radius ``r`` at ``f(t)`` revolutions per second moves the pen
by ``r [cos theta, sin theta]`` with ``theta(t) = theta0 + 2 pi int_0^t f``.  Its acceleration,
differentiated analytically (the second term is the tangential part of a speed change)::

    a(t) = -r (2 pi f)^2 [cos theta, sin theta] - r 2 pi f' [sin theta, -cos theta]
           + h r (2 pi 2f)^2 [cos(2 theta + phi_h), sin(2 theta + phi_h)]   (imbalance harmonic)

in units of g (9.80665 m/s^2).  The sensor adds white noise ``noise_std_g`` and quantises to
``lsb_g`` (ADXL345 full resolution: 3.9 mg/LSB; its noise is about one LSB).

* constant speed: ``f(t) = f0`` (one draw per trial from ``speed_range_hz``);
* variable speed: ``f(t)`` holds a speed for an exponential time (mean ``hold_s``) and moves to
  a new random speed with a raised-cosine ramp of ``ramp_s``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

G = 9.80665


@dataclass(frozen=True)
class ShakingTableTrial:
    """One simulated trial.

    Attributes
    ----------
    t : ndarray, shape (n,)
    acc_true : ndarray, shape (n, 2)
        Table acceleration in g (x, y), without sensor noise.
    acc : ndarray, shape (n, 2)
        What the accelerometer reports (noise + quantisation).
    speed_hz : ndarray, shape (n,)
        Orbit frequency ``f(t)`` (ground truth).
    params : dict
        Every parameter of the trial.
    """

    t: np.ndarray
    acc_true: np.ndarray
    acc: np.ndarray
    speed_hz: np.ndarray
    params: dict = field(default_factory=dict)


def _variable_speed(rng: np.random.Generator, t: np.ndarray, lo: float, hi: float, hold_s: float,
                    ramp_s: float) -> np.ndarray:
    n = t.size
    f = np.empty(n)
    cur = rng.uniform(lo, hi)
    t_next = rng.exponential(hold_s)
    segs = [(0.0, cur, cur)]
    while t_next < t[-1]:
        new = rng.uniform(lo, hi)
        segs.append((t_next, cur, new))
        cur = new
        t_next += ramp_s + rng.exponential(hold_s)
    f[:] = segs[0][1]
    for t0, a, b in segs[1:]:
        m = t >= t0
        frac = np.clip((t[m] - t0) / ramp_s, 0, 1)
        f[m] = a + (b - a) * 0.5 * (1 - np.cos(np.pi * frac))
    return f


def shaking_table(mode: str = "constant", n_samples: int = 2000, rate_hz: float = 200.0, seed: int = 0,
                  speed_range_hz: tuple[float, float] = (3.0, 7.0), radius_mm: float = 5.0,
                  harmonic: float = 0.05, noise_std_g: float = 0.004, lsb_g: float = 0.0039,
                  hold_s: float = 2.0, ramp_s: float = 0.5) -> ShakingTableTrial:
    """Simulate one trial (``mode`` ``"constant"`` or ``"variable"``); deterministic for a seed."""
    if mode not in ("constant", "variable"):
        raise ValueError(f"shaking_table: mode must be 'constant' or 'variable', got {mode!r}")
    lo, hi = speed_range_hz
    if not 0 < lo <= hi < rate_hz / 4:
        raise ValueError(f"shaking_table: speed_range_hz {speed_range_hz} must satisfy 0 < low <= high < rate/4")
    if n_samples < 2 or radius_mm <= 0 or noise_std_g < 0 or lsb_g < 0:
        raise ValueError("shaking_table: n_samples >= 2, radius_mm > 0, noise_std_g >= 0 and lsb_g >= 0 required")
    ss = np.random.SeedSequence(seed)
    r_speed, r_phase, r_noise = (np.random.default_rng(s) for s in ss.spawn(3))
    t = np.arange(n_samples) / rate_hz
    if mode == "constant":
        f = np.full(n_samples, r_speed.uniform(lo, hi))
    else:
        f = _variable_speed(r_speed, t, lo, hi, hold_s, ramp_s)
    theta0, phi_h = r_phase.uniform(0, 2 * np.pi, 2)
    theta = theta0 + 2 * np.pi * np.concatenate([[0.0], np.cumsum((f[1:] + f[:-1]) / 2) / rate_hz])
    fdot = np.gradient(f, t)
    r = radius_mm / 1000.0
    w = 2 * np.pi * f
    ax = -r * w**2 * np.cos(theta) - r * 2 * np.pi * fdot * np.sin(theta)
    ay = -r * w**2 * np.sin(theta) + r * 2 * np.pi * fdot * np.cos(theta)
    ax += harmonic * r * (2 * w) ** 2 * np.cos(2 * theta + phi_h)
    ay += harmonic * r * (2 * w) ** 2 * np.sin(2 * theta + phi_h)
    acc_true = np.stack([ax, ay], axis=1) / G
    acc = acc_true + noise_std_g * r_noise.standard_normal(acc_true.shape)
    if lsb_g > 0:
        acc = np.round(acc / lsb_g) * lsb_g
    params = {"mode": mode, "n_samples": n_samples, "rate_hz": rate_hz, "seed": seed,
              "speed_range_hz": list(speed_range_hz), "radius_mm": radius_mm, "harmonic": harmonic,
              "noise_std_g": noise_std_g, "lsb_g": lsb_g, "hold_s": hold_s, "ramp_s": ramp_s,
              "theta0": float(theta0), "speed_hz_mean": float(f.mean())}
    return ShakingTableTrial(t=t, acc_true=acc_true, acc=acc, speed_hz=f, params=params)
