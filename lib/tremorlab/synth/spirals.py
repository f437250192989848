"""CRST drawing-A phantom: spiral sheets drawn by simulated essential-tremor patients.

The Fahn-Tolosa-Marin Clinical Rating Scale for Tremor (CRST) asks the patient to draw a
pen line along a printed Archimedean spiral, from a dot at its centre to a dot at its outer
end, without crossing the printed line (Peng et al. 2025, Table 1).  The studies' graded
sheets are private, so this module makes sheets whose answer is known:

* :class:`SpiralTemplate` -- the printed guide.  One Archimedean line
  :math:`r = b\\,\\theta`, :math:`b = p / 2\\pi` (``pitch_mm`` = :math:`p`), drawn over
  ``turns`` turns; the patient draws in the channel between two neighbouring turns, whose
  centre line is :math:`r = b(\\theta + \\pi)`.
* :func:`draw_trace` -- the patient's pen path in millimetres.  The pen moves along the
  channel centre at a drawing speed :math:`v(t)`; to that path are added a slow
  mean-reverting drift across the channel (an Ornstein-Uhlenbeck process) and the tremor,
  an oscillation along a fixed hand axis with frequency 4-12 Hz, random phase diffusion
  (irregularity) and slow amplitude modulation:

  .. math:: \\mathbf{x}(t) = \\mathbf{c}(s(t)) + d(t)\\,\\mathbf{n}(s(t))
            + A(t)\\,[\\sin\\phi(t)\\,\\mathbf{u} + e\\,\\cos\\phi(t)\\,\\mathbf{u}_\\perp],
     \\qquad \\phi(t) = 2\\pi f t + \\sigma_\\phi W(t).

  Every parameter follows a latent severity :math:`z \\in [-0.5, 4.5]` whose rounding is the
  true CRST grade: the tremor amplitude grows geometrically with :math:`z`, the drawing
  slows, the frequency falls, gaps and hesitations become more frequent, and a grade-4
  patient stops before the outer dot (cannot complete the task).
* :func:`line_index` / :func:`count_crossings` -- the ground truth: how often the ink crosses
  the printed line, and how far it strays from the channel centre.
* :func:`render_sheet` -- the image: paper, printed line and dots, ink whose width and tone
  follow the pen pressure with small gaps, then one of the two acquisition settings of the
  paper: a 300-dpi flatbed ``"scan"`` (clinic) or a smartphone ``"photo"`` (home:
  perspective, uneven lighting, colour cast, blur, noise, strong JPEG).
* :func:`make_cohort` / :func:`rate` / :func:`render_cohort` -- a cohort like the paper's
  (315 patients, about 3 images each, 8:2 clinic/home, grade mix of its Table 3 plus grade-0
  sheets) with three simulated raters and a consensus rule, so the labels carry rater noise.

Everything is seeded: the same ``seed`` and row give the same sheet.  Units are millimetres
in the sheet frame (x right, y up, origin at the spiral centre) and pixels in images.

References
----------
Peng Y. et al. (2025) A deep learning approach to remotely assessing essential tremor with
handwritten images. Scientific Reports (Methods, Tables 1 and 3).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np

GRADES = (0, 1, 2, 3, 4)
SETTINGS = ("scan", "photo")
#: Patients per CRST group in the paper's Table 3 (groups 1-4).
PAPER_GROUP_COUNTS = (106, 105, 70, 34)
#: The paper's image totals: 798 scans (clinic) and 199 photos (home), 997 in all.
PAPER_N_IMAGES = 997

#: Pen inks (RGB): blue, dark blue, violet, blue-black, red, green ballpoints and felt pens.
INKS = np.array([[35, 55, 190], [25, 35, 120], [80, 40, 150], [30, 35, 75], [170, 30, 35], [20, 110, 60]],
                dtype=float)
#: Median peak tremor amplitude (mm) at latent severity z (log-linear in between).
AMP_NODES = (np.array([-0.5, 0, 1, 2, 3, 4, 4.5]), np.array([0.08, 0.12, 0.45, 1.2, 2.8, 6.0, 8.5]))
INK_WEIGHTS = np.array([0.42, 0.2, 0.1, 0.15, 0.07, 0.06])


@dataclass(frozen=True)
class SpiralTemplate:
    """Geometry of the printed CRST drawing-A guide (millimetres).

    Parameters
    ----------
    pitch_mm : float
        Distance between neighbouring turns of the printed line, :math:`2\\pi b`.
    turns : float
        Turns of the printed line, from the centre outwards.
    line_width_mm, dot_radius_mm : float
        Printed line width and radius of the start / end dots.
    field_mm : float
        Side of the square region of the sheet that the image shows, centred on the spiral.
    """

    pitch_mm: float = 10.0
    turns: float = 5.0
    line_width_mm: float = 1.0
    dot_radius_mm: float = 1.6
    field_mm: float = 130.0

    @property
    def b(self) -> float:
        """Spiral constant :math:`b = p / 2\\pi` (mm per radian)."""
        return self.pitch_mm / (2 * np.pi)

    @property
    def theta_max(self) -> float:
        """Last angle of the printed line, :math:`2\\pi \\cdot` turns."""
        return 2 * np.pi * self.turns

    @property
    def channel_theta(self) -> tuple[float, float]:
        """Angle range of the channel centre line (both bounding turns printed)."""
        return 0.0, self.theta_max - 2 * np.pi

    def guide(self, step_mm: float = 0.5) -> np.ndarray:
        """Points (n, 2) of the printed line :math:`r = b\\theta`, about ``step_mm`` apart."""
        th = _even_angles(self.b, 0.0, self.theta_max, step_mm)
        r = self.b * th
        return np.column_stack([r * np.cos(th), r * np.sin(th)])

    def centre_line(self, theta: np.ndarray) -> np.ndarray:
        """Channel centre :math:`r = b(\\theta + \\pi)` at angles ``theta`` -> (n, 2)."""
        r = self.b * (np.asarray(theta) + np.pi)
        return np.column_stack([r * np.cos(theta), r * np.sin(theta)])

    def dots(self) -> np.ndarray:
        """Centres (2, 2) of the start dot (inner channel end) and the end dot (outer)."""
        return self.centre_line(np.array(self.channel_theta))

    def arc_length(self, theta: np.ndarray) -> np.ndarray:
        """Arc length of the channel centre line from its start to ``theta`` (closed form).

        For :math:`r = b\\varphi`, :math:`L(\\varphi) = \\tfrac b2[\\varphi\\sqrt{1+\\varphi^2}
        + \\operatorname{asinh}\\varphi]`; here :math:`\\varphi = \\theta + \\pi`.
        """
        return (_spiral_length(self.b, np.asarray(theta) + np.pi)
                - _spiral_length(self.b, self.channel_theta[0] + np.pi))


def _spiral_length(b: float, phi):
    """Arc length of :math:`r = b\\varphi` from 0 to ``phi``: :math:`\\tfrac b2[\\varphi\\sqrt{1+\\varphi^2} + \\operatorname{asinh}\\varphi]`."""
    phi = np.asarray(phi, float)
    return 0.5 * b * (phi * np.sqrt(1 + phi ** 2) + np.arcsinh(phi))


def _even_angles(b: float, t0: float, t1: float, step_mm: float) -> np.ndarray:
    """Angles from t0 to t1 of :math:`r = b\\theta` whose points are ``step_mm`` apart along the curve."""
    grid = np.linspace(t0, t1, 20000)
    length = _spiral_length(b, grid)
    n = max(int(np.ceil((length[-1] - length[0]) / step_mm)), 1) + 1
    return np.interp(np.linspace(length[0], length[-1], n), length, grid)


def line_index(points: np.ndarray, template: SpiralTemplate) -> np.ndarray:
    """Continuous index of the printed turn at each point: :math:`L = (r/b - \\alpha) / 2\\pi`.

    :math:`\\alpha \\in [0, 2\\pi)` is the polar angle.  The printed line lies on integer
    :math:`L`; the channel centre between turns ``k`` and ``k+1`` has :math:`L = k + 0.5`.  So
    :math:`(L - \\lfloor L\\rfloor - 0.5)\\,p` is the signed distance across the channel from its
    centre (mm, positive outwards), exact along rays from the centre.
    """
    p = np.asarray(points, dtype=float)
    r = np.hypot(p[:, 0], p[:, 1])
    alpha = np.mod(np.arctan2(p[:, 1], p[:, 0]), 2 * np.pi)
    return (r / template.b - alpha) / (2 * np.pi)


def count_crossings(points: np.ndarray, pen_down: np.ndarray, template: SpiralTemplate) -> int:
    """Number of times the inked path crosses the printed line (ground truth).

    For each pair of consecutive pen-down samples the turn index :math:`L` (:func:`line_index`)
    of both is taken at the first sample's polar angle :math:`\\alpha_1` (the second angle is
    :math:`\\alpha_1` plus the wrapped angle step), so that passing the polar axis is not
    mistaken for a crossing.  Every integer passed is one crossing of a printed turn, counted
    only where that turn is printed (:math:`0 \\le \\alpha_1 + 2\\pi m \\le 2\\pi \\cdot` turns).
    """
    p = np.asarray(points, dtype=float)
    down = np.asarray(pen_down, bool)
    r = np.hypot(p[:, 0], p[:, 1])
    alpha = np.mod(np.arctan2(p[:, 1], p[:, 0]), 2 * np.pi)
    a1 = alpha[:-1]
    step = np.angle(np.exp(1j * (alpha[1:] - a1)))
    l1 = np.floor((r[:-1] / template.b - a1) / (2 * np.pi))
    l2 = np.floor((r[1:] / template.b - a1 - step) / (2 * np.pi))
    turn = np.maximum(l1, l2)
    printed = (turn >= 0) & (a1 + 2 * np.pi * turn <= template.theta_max)
    both = down[1:] & down[:-1]
    return int(np.sum(np.abs(l2 - l1)[both & printed]))


# ---- the patient ----------------------------------------------------------------------------

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


def true_grade(severity) -> np.ndarray:
    """CRST grade of a latent severity: :math:`\\mathrm{clip}(\\mathrm{round}(z), 0, 4)`."""
    return np.clip(np.floor(np.asarray(severity, float) + 0.5), 0, 4).astype(int)


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


def _lowpass_noise(n: int, fs: float, cutoff_hz: float, rng: np.random.Generator) -> np.ndarray:
    """Unit-variance noise low-passed by a first-order (OU / AR(1)) filter."""
    from scipy.signal import lfilter

    a = np.exp(-2 * np.pi * cutoff_hz / fs)
    x = lfilter([np.sqrt(1 - a * a)], [1, -a], rng.standard_normal(n))
    return x


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
    hes = _lowpass_noise(n_max, fs, 0.4, rng)
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
    drift = params.drift_mm * _lowpass_noise(n, fs, 0.25, rng)
    for _ in range(params.n_slips):  # a slip: a smooth bump across the channel, then a correction
        centre_t, width = rng.uniform(0, t[-1]), rng.uniform(0.15, 0.5)
        drift += rng.choice([-1, 1]) * rng.uniform(1.0, 4.5) * np.exp(-0.5 * ((t - centre_t) / width) ** 2)
    # tremor along a fixed hand axis, irregular phase, modulated amplitude
    phase = 2 * np.pi * params.frequency_hz * t + params.phase_noise * np.cumsum(rng.standard_normal(n)) / np.sqrt(fs)
    phase += rng.uniform(0, 2 * np.pi)
    amp = params.amplitude_mm * np.clip(1 + params.amp_modulation * _lowpass_noise(n, fs, 0.5, rng), 0.2, None)
    ax = np.deg2rad(params.axis_deg)
    u = np.array([np.cos(ax), np.sin(ax)])
    v = np.array([-np.sin(ax), np.cos(ax)])
    tremor = amp[:, None] * (np.sin(phase)[:, None] * u + params.ellipticity * np.cos(phase)[:, None] * v)
    xy = centre + drift[:, None] * normal + tremor
    # pressure and small pen lifts
    pressure = np.clip(rng.uniform(0.55, 0.95) + 0.15 * _lowpass_noise(n, fs, 0.8, rng), 0.05, 1.0)
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


# ---- the image ------------------------------------------------------------------------------

def _jpeg(img, quality: int):
    from PIL import Image

    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=int(quality))
    buf.seek(0)
    with Image.open(buf) as im:
        return im.convert("RGB")


def _perspective_coeffs(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Coefficients of PIL's PERSPECTIVE transform mapping output pixel ``dst`` to input ``src``."""
    a = []
    for (x, y), (u, v) in zip(dst, src):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    return np.linalg.solve(np.asarray(a, float), src.reshape(-1).astype(float))


def _lowpass_image(noise: np.ndarray, sigma: float) -> np.ndarray:
    """Paper grain: white noise blurred by a Gaussian of ``sigma`` px, rescaled to unit s.d."""
    from scipy.ndimage import gaussian_filter

    g = gaussian_filter(noise, sigma)
    return g / (g.std() + 1e-12)


def render_sheet(trace: Trace, template: SpiralTemplate = SpiralTemplate(), setting: str = "scan",
                 size: int = 224, rng=None, supersample: int = 2, return_geometry: bool = False):
    """Image (size, size, 3) uint8 of the sheet region around the spiral.

    The printed line and dots and the ink are drawn on white at ``supersample`` times the
    resolution (ink width and tone follow pressure; ink multiplies the toner where they
    overlap), reduced, and then acquired:

    * ``"scan"``: flatbed at 300 dpi, 8-bit, saved as JPEG -- off-white paper, a sheet
      placement error (rotation +-1.5 deg, shift +-2 %), paper grain, scanner noise, slight blur,
      JPEG q 88-95.
    * ``"photo"``: smartphone at home -- perspective (corners moved up to 7 % of the side),
      lighting gradient and vignette, colour cast, a soft shadow, defocus blur (sigma 0.4-1.4 px
      at 224), sensor noise, JPEG q 55-85.
    """
    from PIL import Image, ImageChops, ImageDraw, ImageFilter

    if setting not in SETTINGS:
        raise ValueError(f"setting must be one of {SETTINGS}, got {setting!r}")
    rng = np.random.default_rng(rng)
    big = size * supersample
    ppm = big / template.field_mm
    # placement of the sheet on the scanner glass / in the photo (small for scans)
    rot = np.deg2rad(rng.uniform(-1.5, 1.5) if setting == "scan" else rng.uniform(-6, 6))
    shift = rng.uniform(-0.02, 0.02, 2) * template.field_mm
    c, s_ = np.cos(rot), np.sin(rot)

    def to_px(p):
        q = p @ np.array([[c, s_], [-s_, c]]) + shift
        return np.column_stack([big / 2 + q[:, 0] * ppm, big / 2 - q[:, 1] * ppm])

    toner = Image.new("L", (big, big), 255)
    dt = ImageDraw.Draw(toner)
    lw = max(1, int(round(template.line_width_mm * ppm)))
    dt.line(to_px(template.guide(step_mm=max(0.5, 1.0 / ppm))).ravel().tolist(), fill=20, width=lw,
            joint="curve")
    rd = template.dot_radius_mm * ppm
    for x, y in to_px(template.dots()):
        dt.ellipse([x - rd, y - rd, x + rd, y + rd], fill=20)
    ink = Image.new("RGB", (big, big), (255, 255, 255))
    di = ImageDraw.Draw(ink)
    px = to_px(trace.xy)
    col = np.asarray(trace.params.ink_rgb)
    chunk = 8
    starts = np.arange(0, max(len(px) - 1, 1), chunk)
    pr = np.add.reduceat(trace.pressure, starts) / np.diff(np.append(starts, len(px)))
    ok = np.logical_and.reduceat(trace.pen_down, starts)
    tones = (col + (255 - col) * 0.45 * (1 - pr[:, None])).astype(int)
    widths = np.maximum(1, np.round(trace.params.ink_width_mm * (0.6 + 0.5 * pr) * ppm)).astype(int)
    for k, i in enumerate(starts):
        if ok[k] and trace.pen_down[min(i + chunk, len(px) - 1)]:
            di.line(px[i:i + chunk + 1].ravel().tolist(), fill=tuple(tones[k].tolist()), width=int(widths[k]),
                    joint="curve")
    base = rng.uniform(228, 250)
    paper = (base + rng.uniform(-4, 4, 3) + np.array([0.0, 0.0, 2.0])).clip(0, 255)
    sheet = ImageChops.multiply(ink, toner.convert("RGB"))
    sheet = ImageChops.multiply(sheet, Image.new("RGB", sheet.size, tuple(int(v) for v in paper)))
    img = sheet.reduce(supersample)
    if setting == "scan":
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 0.5) * size / 224))
        grain = _lowpass_image(rng.standard_normal((size, size)), 0.8 * size / 224)
        arr = np.asarray(img, np.float32) + rng.uniform(2.0, 5.0) * grain[..., None]
        arr += rng.normal(0, rng.uniform(1.0, 3.0), (size, size, 1))
        quality = rng.integers(88, 96)
    else:
        corners = np.array([[0, 0], [size, 0], [size, size], [0, size]], float)
        moved = corners + rng.uniform(-0.07, 0.07, (4, 2)) * size
        img = img.transform((size, size), Image.Transform.PERSPECTIVE, _perspective_coeffs(corners, moved),
                            Image.Resampling.BILINEAR, fillcolor=tuple(int(v) for v in paper))
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0) * size / 224))
        arr = np.asarray(img, np.float32)
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size - 0.5
        g = rng.normal(0, 1, 2)
        light = 1 + 0.12 * (g[0] * xx + g[1] * yy) - rng.uniform(0.05, 0.2) * (xx ** 2 + yy ** 2) * 2
        # a soft shadow (phone or hand) across one side
        ang = rng.uniform(0, 2 * np.pi)
        proj = np.cos(ang) * xx + np.sin(ang) * yy
        light *= 1 - rng.uniform(0.0, 0.2) / (1 + np.exp(-(proj - rng.uniform(0.1, 0.4)) * 25))
        cast = np.array([rng.uniform(0.97, 1.05), rng.uniform(0.95, 1.02), rng.uniform(0.85, 1.0)], np.float32)
        arr = arr * light[..., None] * cast * rng.uniform(0.85, 1.0)
        arr += rng.normal(0, rng.uniform(2.0, 6.0), (size, size, 3))
        quality = rng.integers(55, 86)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    out = np.asarray(_jpeg(img, quality))
    if return_geometry:
        centre = to_px(np.zeros((1, 2)))[0] / supersample
        return out, {"centre_px": (float(centre[0]), float(centre[1])), "px_per_mm": ppm / supersample,
                     "rotation_deg": float(np.rad2deg(rot))}
    return out


# ---- the cohort and its raters ----------------------------------------------------------------

def rate(severity, rng, n_raters: int = 3, rater_sd: float = 0.3, rater_bias=(-0.1, 0.0, 0.1)):
    """Grades of ``n_raters`` simulated neurologists and their consensus.

    Rater ``k`` perceives :math:`z + \\beta_k + \\varepsilon`, :math:`\\varepsilon \\sim
    N(0, \\sigma^2)` and grades :math:`\\mathrm{clip}(\\mathrm{round}(\\cdot), 0, 4)`.
    Consensus (the paper: discrepancies discussed until agreement): the majority grade when two
    or more raters agree, otherwise the median of the three (the middle opinion wins the
    discussion).

    Returns
    -------
    (ratings (n, n_raters) int, consensus (n,) int)
    """
    z = np.atleast_1d(np.asarray(severity, float))
    bias = np.resize(np.asarray(rater_bias, float), n_raters)
    perceived = z[:, None] + bias[None, :] + rng.normal(0, rater_sd, (z.size, n_raters))
    ratings = true_grade(perceived)
    consensus = np.empty(z.size, int)
    for i, row in enumerate(ratings):
        vals, counts = np.unique(row, return_counts=True)
        consensus[i] = vals[np.argmax(counts)] if counts.max() >= 2 else int(np.median(row))
    return ratings, consensus


def make_cohort(n_patients: int = 315, n_images: int = PAPER_N_IMAGES, home_fraction: float = 0.2,
                group_counts=PAPER_GROUP_COUNTS, seed: int = 0):
    """A cohort table like the paper's: one row per image.

    Patients are dealt to the CRST groups 1-4 in the proportions of ``group_counts`` (Table 3),
    and a fraction ``home_fraction`` of them (8:2) draw at home (``setting="photo"``), the rest
    in the clinic (``"scan"``).  Each has ``n_images // n_patients`` sheets (some one more, to
    make ``n_images``), alternating the hand.  A patient's severity is uniform over their
    group's band (group 1 reaches down to grade-0 sheets), each sheet adds a hand offset and
    day-to-day variation (s.d. 0.3): so all five grades exist, as in the paper's five classes.

    Returns
    -------
    pandas.DataFrame with columns subject_id, image, setting, hand, group, severity, grade
    (true), rater_1..rater_3, label (consensus), seed.
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    counts = np.asarray(group_counts, float)
    groups = rng.choice(np.arange(1, len(counts) + 1), size=n_patients, p=counts / counts.sum())
    if n_patients == sum(group_counts):
        groups = rng.permutation(np.repeat(np.arange(1, len(counts) + 1), np.asarray(group_counts)))
    n_home = int(round(home_fraction * n_patients))
    home = np.zeros(n_patients, bool)
    home[rng.choice(n_patients, n_home, replace=False)] = True
    per = np.full(n_patients, n_images // n_patients)
    per[rng.choice(n_patients, n_images - per.sum(), replace=False)] += 1
    # band of each group's patient severity: group 1 spans grades 0-1
    lo = {1: -0.2, 2: 1.3, 3: 2.3, 4: 3.3}
    hi = {1: 1.4, 2: 2.4, 3: 3.4, 4: 4.4}
    rows = []
    for p in range(n_patients):
        g = int(groups[p])
        zp = rng.uniform(lo.get(g, g - 0.5), hi.get(g, g + 0.5))
        hand_offset = rng.normal(0.15, 0.2)  # the non-dominant hand draws a little worse
        for k in range(per[p]):
            hand = "right" if k % 2 == 0 else "left"
            z = float(np.clip(zp + (hand_offset if hand == "left" else 0) + rng.normal(0, 0.3), -0.49, 4.49))
            rows.append({"subject_id": f"ET{p + 1:03d}", "image": f"ET{p + 1:03d}_{k + 1}.png",
                         "setting": "photo" if home[p] else "scan", "hand": hand, "group": g, "severity": z})
    df = pd.DataFrame(rows)
    df["grade"] = true_grade(df["severity"].to_numpy())
    ratings, consensus = rate(df["severity"].to_numpy(), rng)
    for k in range(ratings.shape[1]):
        df[f"rater_{k + 1}"] = ratings[:, k]
    df["label"] = consensus
    df["seed"] = seed
    return df


def render_row(row, size: int = 224, template: SpiralTemplate = SpiralTemplate(), return_trace: bool = False):
    """Image of one cohort row, seeded by (``row.seed``, ``row.name``) -- reproducible alone."""
    rng = np.random.default_rng([int(row["seed"]), int(row.name), 7])
    trace = draw_trace(sample_params(row["severity"], rng), template, rng)
    img = render_sheet(trace, template, row["setting"], size=size, rng=rng)
    return (img, trace) if return_trace else img


def render_cohort(df, size: int = 224, template: SpiralTemplate = SpiralTemplate(), chunk: int = 64):
    """Images (n, size, size, 3) uint8 of every row and a table of their ground truth.

    Returns
    -------
    (images, truth) where ``truth`` is a DataFrame indexed like ``df`` with the keys of
    :attr:`Trace.truth` and the drawing parameters.
    """
    import pandas as pd

    from tremorlab import parallel

    # every sheet is drawn from its own row (its seed included): chunks of rows are executor tasks
    chunks = [df.iloc[i:i + chunk] for i in range(0, len(df), chunk)]
    parts = parallel.pmap(_render_rows, chunks, [size] * len(chunks), [template] * len(chunks))
    imgs = np.concatenate([p[0] for p in parts]) if parts else np.empty((0, size, size, 3), np.uint8)
    truth = [t for p in parts for t in p[1]]
    return imgs, pd.DataFrame(truth, index=df.index)


def _render_rows(df, size: int, template: SpiralTemplate):
    imgs = np.empty((len(df), size, size, 3), np.uint8)
    truth = []
    for i, (_, row) in enumerate(df.iterrows()):
        imgs[i], tr = render_row(row, size, template, return_trace=True)
        truth.append({**tr.truth, "speed_mm_s": tr.params.speed_mm_s, "n_gaps": tr.params.n_gaps})
    return imgs, truth
