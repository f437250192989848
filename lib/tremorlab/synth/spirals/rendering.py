"""The image of a sheet: paper, printed line and dots, ink, then a flatbed scan or a phone photo
(:func:`render_sheet`).  See :mod:`tremorlab.synth.spirals`.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter
from scipy.ndimage import gaussian_filter

from tremorlab.synth.spirals.template import SpiralTemplate
from tremorlab.synth.spirals.trace import Trace

__all__ = ["SETTINGS", "render_sheet"]

SETTINGS = ("scan", "photo")


def _jpeg(img, quality: int):
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
