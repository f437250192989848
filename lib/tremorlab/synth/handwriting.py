"""Handwriting phantom: lines of pseudo-text written with sigma-lognormal strokes.

The kinematic theory of rapid movements (Plamondon's sigma-lognormal model) describes the
pen-tip velocity as a sum of overlapping strokes, each with a lognormal speed profile and a
direction that turns steadily while the stroke unfolds.  For stroke ``i`` with onset ``t0``, amplitude ``D`` (mm),
log-time delay ``mu``, log-response time ``sigma`` and start/end directions ``theta_s``,
``theta_e``:

.. math::

    |v_i|(t) = \\frac{D}{\\sigma\\sqrt{2\\pi}(t - t_0)}
               \\exp\\left(-\\frac{(\\ln(t - t_0) - \\mu)^2}{2\\sigma^2}\\right), \\qquad
    \\phi_i(t) = \\theta_s + (\\theta_e - \\theta_s)\\,\\Phi_i(t),

with ``Phi_i`` the lognormal CDF.  Integrating in closed form gives each stroke's displacement

.. math::

    \\Delta x_i(t) = \\frac{D}{\\theta_e - \\theta_s}\\,[\\sin\\phi_i(t) - \\sin\\theta_s], \\qquad
    \\Delta y_i(t) = -\\frac{D}{\\theta_e - \\theta_s}\\,[\\cos\\phi_i(t) - \\cos\\theta_s],

so the trajectory is exact (no numerical integration).  Words are sequences of up/down stroke
pairs (pseudo-letters, not real glyphs); between words and lines the pen travels in the air with
one lognormal transit stroke.  Pressure, tilt-x and tilt-y are generated alongside, and tilt is
delivered as azimuth/altitude, as a Wacom tablet reports it.

Typically developing (TD) and dysgraphic (D) writers differ the way the study's discussion
describes: a latent severity ``s`` in [0, 1] moves each writer from the TD values towards the D
values (faster, jerkier stroke rhythm with extra corrective sub-movements, more tremor-like
shakiness, longer in-air pauses, narrower and more irregular word spacing, a rigid tilt-y and a
wandering tilt-x, more variable pressure).  These effect sizes are *our* choices, not
measurements: a classifier's score on this cohort says how well the pipeline finds differences
we put in, not how well it diagnoses children.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import erf

from tremorlab.io import PenRecording
from tremorlab.synth.noise import butterworth

__all__ = ["TD_VALUES", "D_VALUES", "SEVERITY_EXTRAS", "lognormal_stroke", "WriterProfile", "writer_profile",
           "write_text", "dysgraphia_cohort", "tilt_to_azimuth_altitude"]

#: Writer parameters at severity 0 (TD, grade 3) and severity 1 (D); see :func:`writer_profile`.
TD_VALUES = dict(stroke_ioi_s=0.19, ioi_cv=0.12, submovement_prob=0.05, shake_mm=0.012, pause_word_s=0.28,
                 pause_cv=0.4, word_space_mm=4.2, word_space_cv=0.22, tilt_y_coupling_deg=5.0,
                 tilt_x_wander_deg=0.8, tilt_x_band_hz=1.0, pressure_var=0.06, pressure_band_hz=2.0)
#: Writer parameters that also move with severity, outside :data:`TD_VALUES` (their form is in
#: :func:`writer_profile`); ``effects`` can name them too.
SEVERITY_EXTRAS = ("x_height_mm", "size_cv", "sigma", "pressure_mean")
D_VALUES = dict(stroke_ioi_s=0.16, ioi_cv=0.30, submovement_prob=0.40, shake_mm=0.045, pause_word_s=0.75,
                pause_cv=0.8, word_space_mm=2.6, word_space_cv=0.55, tilt_y_coupling_deg=1.0,
                tilt_x_wander_deg=2.0, tilt_x_band_hz=3.5, pressure_var=0.14, pressure_band_hz=5.0)


def lognormal_stroke(t: np.ndarray, t0: float, D: float, mu: float, sigma: float, theta_s: float,
                     theta_e: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Displacement ``(dx, dy)`` and speed of one sigma-lognormal stroke at times ``t``.

    See the module docstring for the equations.  ``theta_e == theta_s`` (a straight stroke) is
    handled by its limit ``dx = D Phi cos(theta_s)``, ``dy = D Phi sin(theta_s)``.
    """
    t = np.asarray(t, dtype=float)
    tau = t - t0
    pos = tau > 0
    z = np.zeros_like(t)
    z[pos] = (np.log(tau[pos]) - mu) / sigma
    cdf = np.where(pos, 0.5 * (1 + erf(z / np.sqrt(2))), 0.0)
    speed = np.zeros_like(t)
    speed[pos] = D / (sigma * np.sqrt(2 * np.pi) * tau[pos]) * np.exp(-0.5 * z[pos] ** 2)
    dth = theta_e - theta_s
    if abs(dth) < 1e-9:
        return D * cdf * np.cos(theta_s), D * cdf * np.sin(theta_s), speed
    phi = theta_s + dth * cdf
    return D / dth * (np.sin(phi) - np.sin(theta_s)), -D / dth * (np.cos(phi) - np.cos(theta_s)), speed


def tilt_to_azimuth_altitude(tilt_x_deg, tilt_y_deg):
    """Inverse of :func:`tremorlab.features.handwriting.tilt_xy` (degrees in, degrees out)."""
    tx, ty = np.tan(np.radians(tilt_x_deg)), np.tan(np.radians(tilt_y_deg))
    az = np.degrees(np.arctan2(tx, ty)) % 360.0
    alt = np.degrees(np.arctan2(1.0, np.hypot(tx, ty)))
    return az, alt


@dataclass
class WriterProfile:
    """One writer of the phantom cohort: group, grade, latent severity and kinematic parameters."""

    writer_id: str
    group: str            # "TD" or "D"
    grade: int            # school grade 1-5
    severity: float       # 0 (fluent) .. 1 (severe)
    params: dict


def writer_profile(writer_id: str, group: str, grade: int, rng: np.random.Generator,
                   effects: tuple[str, ...] | None = None) -> WriterProfile:
    """Draw a writer: severity ``s`` (TD ~ Beta(1, 14), D ~ Beta(5, 2)), then every parameter
    ``p = p_TD + s (p_D - p_TD)`` times a log-normal individual factor (sd 0.12), plus grade
    effects (younger: slower strokes, larger letters, longer pauses).

    ``effects`` names the parameters of :data:`TD_VALUES` and :data:`SEVERITY_EXTRAS` that move
    with severity (default: all); the others stay at their TD (severity 0) value for every writer
    (a known-answer cohort in which only, say, the stroke rhythm differs).  With ``effects=()``
    no parameter depends on severity, so TD and D writers are drawn from the same distribution.
    The random draws are the same whatever ``effects`` is."""
    if effects is not None:
        unknown = set(effects) - set(TD_VALUES) - set(SEVERITY_EXTRAS)
        if unknown:
            raise ValueError(f"effects must be names of TD_VALUES, got unknown {sorted(unknown)}")
    if group not in ("TD", "D"):
        raise ValueError(f"group must be 'TD' or 'D', got {group!r}")
    s = float(rng.beta(1, 14) if group == "TD" else rng.beta(5, 2))
    young = (3 - grade) / 2.0            # +1 at grade 1, -1 at grade 5
    p = {}
    for k, v0 in TD_VALUES.items():
        shift = s * (D_VALUES[k] - v0) if effects is None or k in effects else 0.0
        p[k] = (v0 + shift) * float(np.exp(rng.normal(0, 0.12)))
    p["stroke_ioi_s"] *= 1 + 0.15 * young
    p["pause_word_s"] *= 1 + 0.25 * young
    # severity as these four parameters see it: 0 unless ``effects`` names them (before this, they
    # moved with severity whatever ``effects`` said, so a "rhythm-only" cohort was not rhythm-only)
    sx = {k: (s if effects is None or k in effects else 0.0) for k in SEVERITY_EXTRAS}
    p["x_height_mm"] = 3.6 * (1 + 0.18 * young) * (1 + 0.1 * sx["x_height_mm"]) * float(np.exp(rng.normal(0, 0.1)))
    p["size_cv"] = 0.08 + 0.15 * sx["size_cv"]
    p["sigma"] = float(np.clip(rng.normal(0.32, 0.03) - 0.06 * sx["sigma"], 0.18, 0.5))
    p["pressure_mean"] = float(np.clip(rng.normal(520, 70) + 80 * sx["pressure_mean"], 200, 900))
    p["tilt_x0_deg"] = float(rng.normal(25, 6))
    p["tilt_y0_deg"] = float(rng.normal(38, 6))
    return WriterProfile(writer_id, group, int(grade), s, p)


def _word_strokes(n_letters: int, h: float, p: dict, rng: np.random.Generator):
    """Stroke parameters (D, theta_s, theta_e, ascender flags) of one pseudo-word."""
    pairs = rng.integers(1, 3, size=n_letters)                        # 1-2 up/down pairs per letter
    n_pairs = int(pairs.sum())
    size = h * np.exp(rng.normal(0, p["size_cv"], n_pairs))
    size *= np.where(rng.random(n_pairs) < 0.15, 2.2, 1.0)            # ascenders (l, h, d, ...)
    th_su = np.radians(rng.normal(72, 8, n_pairs))
    th_eu = th_su + np.radians(rng.normal(-55, 12, n_pairs))
    th_sd = np.radians(rng.normal(-80, 8, n_pairs))
    th_ed = th_sd + np.radians(rng.normal(-35, 12, n_pairs))

    def unit(ts, te):
        d = te - ts
        return (np.sin(te) - np.sin(ts)) / d, -(np.cos(te) - np.cos(ts)) / d

    ux_u, uy_u = unit(th_su, th_eu)
    ux_d, uy_d = unit(th_sd, th_ed)
    d_up = size / uy_u                                                # up stroke rises by `size`
    d_dn = size / -uy_d                                               # down stroke returns to the baseline
    D = np.empty(2 * n_pairs)
    ts = np.empty(2 * n_pairs)
    te = np.empty(2 * n_pairs)
    D[0::2], D[1::2] = d_up, d_dn
    ts[0::2], ts[1::2] = th_su, th_sd
    te[0::2], te[1::2] = th_eu, th_ed
    dx = np.empty(2 * n_pairs)
    dx[0::2], dx[1::2] = d_up * ux_u, d_dn * ux_d
    return D, ts, te, float(dx.sum())


def write_text(profile: WriterProfile, duration_s: float = 300.0, rate_hz: float = 200.0, seed: int = 0,
               line_width_mm: float = 170.0, line_spacing_mm: float = 12.0):
    """Write pseudo-text for ``duration_s`` seconds with the writer's parameters.

    Returns a :class:`~tremorlab.io.PenRecording` in millimetres (x to the right, y up; lines go
    down the page), ``pressure`` in 0-1023 levels (0 in the air), ``pen_down``, and ``azimuth``
    / ``altitude`` in degrees; ``meta`` holds the writer (group, grade, severity, label) and the
    ground truth: ``word_spaces_mm`` (the spaces the writer intended), ``n_words``, and
    ``tilt_x_deg`` / ``tilt_y_deg``.
    """
    if duration_s <= 0 or rate_hz <= 0:
        raise ValueError("duration_s and rate_hz must be positive")
    rng = np.random.default_rng(seed)
    p = profile.params
    n = int(round(duration_s * rate_hz))
    t = np.arange(n) / rate_hz
    sig = p["sigma"]
    # time to ~97.7 % (mu + 2 sigma) of a stroke whose peak sits at `ioi`
    strokes = []                     # (t0, D, mu, sigma, th_s, th_e)
    down_iv = []                     # pen-down intervals (start, stop) in s
    spaces = []
    x_cur, y_cur = 10.0, 0.0
    clock = 0.3
    while clock < duration_s:
        n_letters = int(rng.integers(2, 7))
        D, ths, the, adv = _word_strokes(n_letters, p["x_height_mm"], p, rng)
        k = D.size
        ioi = p["stroke_ioi_s"] * np.exp(rng.normal(0, p["ioi_cv"], k))
        t0 = clock + np.concatenate([[0.0], np.cumsum(ioi[:-1])])
        mu = np.log(ioi * 1.1) + sig ** 2          # lognormal peak near one inter-onset interval
        sg = np.full(k, sig)
        # corrective sub-movements: small extra strokes half-way through some strokes
        sub = rng.random(k) < p["submovement_prob"]
        if sub.any():
            m = int(sub.sum())
            ang = rng.uniform(0, 2 * np.pi, m)
            strokes.append(np.stack([t0[sub] + 0.5 * ioi[sub], 0.12 * D[sub], np.log(0.35 * ioi[sub]) + sig ** 2,
                                     np.full(m, sig), ang, ang + 0.3], 1))
        strokes.append(np.stack([t0, D, mu, sg, ths, the], 1))
        t_end = t0[-1] + np.exp(mu[-1] + 2 * sig)
        down_iv.append((clock, t_end))
        x_cur += adv
        # pause, then an in-air transit to the next word (or the next line)
        space = max(0.4, p["word_space_mm"] * np.exp(rng.normal(0, p["word_space_cv"])))
        nx, ny = x_cur + space, y_cur
        if nx > line_width_mm:
            nx, ny = 10.0 + rng.normal(0, 1.0), y_cur - line_spacing_mm
        else:
            spaces.append(space)
        pause = p["pause_word_s"] * np.exp(rng.normal(0, p["pause_cv"]))
        dist = float(np.hypot(nx - x_cur, ny - y_cur))
        dur = 0.18 + dist / 600.0
        bend = 0.2
        chord = np.arctan2(ny - y_cur, nx - x_cur)
        D_tr = dist * bend / (2 * np.sin(bend / 2))
        t0_tr = t_end + pause
        strokes.append(np.array([[t0_tr, D_tr, np.log(dur), 0.25, chord - bend / 2, chord + bend / 2]]))
        x_cur, y_cur = nx, ny
        clock = t0_tr + dur * np.exp(2 * 0.25) + 0.02
    S = np.concatenate(strokes)
    S = S[S[:, 0] < duration_s]
    x, y, speed = _sum_strokes(t, S, rate_hz)
    x += 10.0
    down = np.zeros(n, dtype=bool)
    iv = np.array(down_iv)
    a = np.searchsorted(t, iv[:, 0])
    b = np.searchsorted(t, iv[:, 1])
    delta = np.zeros(n + 1, dtype=np.int64)
    np.add.at(delta, a, 1)
    np.add.at(delta, b, -1)
    down = np.cumsum(delta)[:n] > 0
    # shakiness: band-limited 6-12 Hz wobble of the tip, only while writing
    shake = p["shake_mm"]
    x = x + shake * butterworth(rng, n, rate_hz, (6.0, 12.0))
    y = y + shake * butterworth(rng, n, rate_hz, (6.0, 12.0))
    # pressure: onset/offset ramps of 30 ms, slow modulation, writer mean
    ramp = np.convolve(down.astype(float), np.ones(7) / 7, mode="same") * down
    mod = 1 + p["pressure_var"] * butterworth(rng, n, rate_hz, (0.0, p["pressure_band_hz"]))
    pressure = np.clip(p["pressure_mean"] * ramp * mod, 0, 1023) * down
    pressure = np.where(down & (pressure < 1), 1.0, pressure)
    # tilt: y follows the vertical stroke velocity (a supple grip), x wanders
    vy = np.gradient(y, t)
    vy_n = vy / (np.percentile(np.abs(vy), 95) + 1e-9)
    tilt_y = p["tilt_y0_deg"] + p["tilt_y_coupling_deg"] * vy_n + 0.8 * butterworth(rng, n, rate_hz, (0.0, 0.3))
    tilt_x = p["tilt_x0_deg"] + p["tilt_x_wander_deg"] * butterworth(rng, n, rate_hz, (0.0, p["tilt_x_band_hz"]))
    tilt_x, tilt_y = np.clip(tilt_x, -60, 60), np.clip(tilt_y, -60, 60)
    az, alt = tilt_to_azimuth_altitude(tilt_x, tilt_y)
    meta = {"group": profile.group, "label": int(profile.group == "D"), "grade": profile.grade,
            "severity": profile.severity, "writer": profile.writer_id, "content": "text", "rate_hz": rate_hz,
            "word_spaces_mm": np.array(spaces), "n_words": len(down_iv), "tilt_x_deg": tilt_x, "tilt_y_deg": tilt_y,
            "phantom": "sigma-lognormal handwriting"}
    return PenRecording(t=t, x=x, y=y, pressure=pressure, pen_down=down, azimuth=az, altitude=alt, xy_unit="mm",
                        source=f"<phantom {profile.writer_id}>", subject=profile.writer_id, meta=meta)


def _sum_strokes(t: np.ndarray, S: np.ndarray, rate: float, n_sd: float = 5.0):
    """Sum the closed-form displacements of all strokes ``S`` (rows t0, D, mu, sigma, th_s, th_e).

    Each stroke is evaluated only on its support ``t0 + exp(mu +- n_sd sigma)``; after it its
    full displacement is added through a difference array, so the cost is O(strokes x support).
    """
    n = t.size
    t0, D, mu, sg, ts, te = S.T
    k0 = np.clip(np.floor((t0 + np.exp(mu - n_sd * sg)) * rate).astype(np.int64), 0, n)
    k1 = np.clip(np.ceil((t0 + np.exp(mu + n_sd * sg)) * rate).astype(np.int64) + 1, 0, n)
    width = int(max((k1 - k0).max(initial=1), 1))
    idx = k0[:, None] + np.arange(width)[None, :]
    valid = idx < k1[:, None]
    tt = idx.clip(max=n - 1) / rate
    tau = tt - t0[:, None]
    pos = valid & (tau > 0)
    z = np.where(pos, (np.log(np.where(pos, tau, 1.0)) - mu[:, None]) / sg[:, None], -np.inf)
    cdf = 0.5 * (1 + erf(z / np.sqrt(2)))
    dth = te - ts
    dth = np.where(np.abs(dth) < 1e-9, 1e-9, dth)
    phi = ts[:, None] + dth[:, None] * cdf
    dx = D[:, None] / dth[:, None] * (np.sin(phi) - np.sin(ts)[:, None])
    dy = -D[:, None] / dth[:, None] * (np.cos(phi) - np.cos(ts)[:, None])
    spd = np.where(pos, D[:, None] / (sg[:, None] * np.sqrt(2 * np.pi) * np.where(pos, tau, 1.0))
                   * np.exp(-0.5 * np.where(pos, z, 0.0) ** 2), 0.0)
    full_x = D / dth * (np.sin(te) - np.sin(ts))
    full_y = -D / dth * (np.cos(te) - np.cos(ts))
    fi = idx[valid]
    x = np.bincount(fi, weights=dx[valid], minlength=n)[:n]
    y = np.bincount(fi, weights=dy[valid], minlength=n)[:n]
    speed = np.bincount(fi, weights=spd[valid], minlength=n)[:n]
    step_x = np.bincount(k1, weights=full_x, minlength=n + 1)[:n]
    step_y = np.bincount(k1, weights=full_y, minlength=n + 1)[:n]
    return x + np.cumsum(step_x), y + np.cumsum(step_y), speed


def dysgraphia_cohort(n_td: int = 242, n_d: int = 56, duration_s: float = 300.0, rate_hz: float = 200.0,
                      seed: int = 0, effects: tuple[str, ...] | None = None):
    """The phantom cohort: ``n_td`` TD and ``n_d`` D writers, grades 1-5 drawn uniformly in both
    groups (the study matched the age distributions).  The ``i``-th writer of a group uses the seed ``(seed, group, i)``, so a
    smaller cohort holds the first writers of a larger one with the same seed.  ``effects``: see
    :func:`writer_profile` (default: every group difference).

    Returns
    -------
    list of PenRecording
        ``meta['label']`` is 1 for D, 0 for TD.
    """
    recs = []
    for k in range(n_td + n_d):
        group = "TD" if k < n_td else "D"
        i = k if group == "TD" else k - n_td
        wid = f"{group}{i:03d}"
        rng = np.random.default_rng([seed, 0 if group == "TD" else 1, i])
        grade = int(rng.integers(1, 6))
        prof = writer_profile(wid, group, grade, rng, effects=effects)
        recs.append(write_text(prof, duration_s=duration_s, rate_hz=rate_hz, seed=int(rng.integers(2 ** 31))))
    return recs
