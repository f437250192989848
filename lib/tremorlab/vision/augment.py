"""The paper's augmentation, and class balancing of the training set with it.

Peng et al. (2025, "Dataset preparation") list: rotation +-25 deg, horizontal and vertical
flips, scaling 0.8-1.2, additive Gaussian noise with scale 0-0.05x255, Gaussian blur sigma
0-3, linear contrast 0.75-1.5, brightness multiplication 0.8-1.2 and random cropping up to
10 %, used to expand every grade of the training set to 800 images.  The names and ranges are
those of the imgaug library; we implement each from its definition:

* flips with probability 0.5 each;
* affine: rotation :math:`\\theta \\sim U(-25, 25)` deg and scale :math:`s \\sim U(0.8, 1.2)`
  about the image centre, :math:`\\mathbf{x}' = s R_\\theta (\\mathbf{x} - \\mathbf{c}) + \\mathbf{c}`
  (bilinear; the uncovered corners are filled with the image's median colour, i.e. paper,
  where imgaug would fill black);
* crop: each side cut by :math:`U(0, 0.10)` of the side, then resized back (imgaug's
  ``Crop(percent=(0, 0.1))`` with ``keep_size``);
* Gaussian blur with :math:`\\sigma \\sim U(0, 3)` px;
* linear contrast :math:`x' = 128 + \\alpha(x - 128)`, :math:`\\alpha \\sim U(0.75, 1.5)`;
* brightness :math:`x' = m x`, :math:`m \\sim U(0.8, 1.2)`;
* additive noise :math:`x' = x + \\varepsilon`, :math:`\\varepsilon \\sim N(0, \\sigma_n^2)` per
  pixel and channel, :math:`\\sigma_n \\sim U(0, 0.05 \\cdot 255)`;

in that order, then rounding and clipping to 0-255.  Every transform is applied to every
augmented image, each with its parameter drawn from its range (a range includes the identity).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class PaperAugment:
    """Ranges of the paper's augmentation (defaults = the paper's)."""

    rotate_deg: float = 25.0
    flip_p: float = 0.5
    scale: tuple = (0.8, 1.2)
    noise_sd_max: float = 0.05 * 255
    blur_sigma_max: float = 3.0
    contrast: tuple = (0.75, 1.5)
    brightness: tuple = (0.8, 1.2)
    crop_max: float = 0.10

    def sample(self, rng: np.random.Generator) -> dict:
        """One draw of every parameter."""
        return {"hflip": bool(rng.random() < self.flip_p), "vflip": bool(rng.random() < self.flip_p),
                "rotate_deg": float(rng.uniform(-self.rotate_deg, self.rotate_deg)),
                "scale": float(rng.uniform(*self.scale)),
                "crop": tuple(float(v) for v in rng.uniform(0, self.crop_max, 4)),  # top, right, bottom, left
                "blur_sigma": float(rng.uniform(0, self.blur_sigma_max)),
                "contrast": float(rng.uniform(*self.contrast)),
                "brightness": float(rng.uniform(*self.brightness)),
                "noise_sd": float(rng.uniform(0, self.noise_sd_max))}

    def __call__(self, img: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
        params = self.sample(rng)
        return apply(img, params, rng), params

    def ranges(self) -> dict:
        return asdict(self)


def affine(img: np.ndarray, rotate_deg: float, scale: float, fill=None) -> np.ndarray:
    """Rotate by ``rotate_deg`` (counter-clockwise on screen) and scale about the centre.

    Output pixel :math:`\\mathbf{x}'` takes input :math:`\\mathbf{x} = R_{-\\theta}(\\mathbf{x}' -
    \\mathbf{c}) / s + \\mathbf{c}` (bilinear), with :math:`\\mathbf{c}` the centre of the middle pixel.
    """
    from PIL import Image

    h, w = img.shape[:2]
    if fill is None:
        fill = tuple(int(v) for v in np.median(img.reshape(-1, img.shape[-1]), axis=0))
    th = np.deg2rad(rotate_deg)
    cx, cy = w / 2, h / 2  # PIL's continuous coordinates: pixel i spans [i, i + 1)
    # PIL's AFFINE maps output (x', y') to input (a x' + b y' + c, d x' + e y' + f); image y points down,
    # so a counter-clockwise rotation on screen is the matrix [[cos, sin], [-sin, cos]] applied as inverse.
    c, s = np.cos(th) / scale, np.sin(th) / scale
    a, b, d, e = c, -s, s, c
    coeffs = (a, b, cx - a * cx - b * cy, d, e, cy - d * cx - e * cy)
    out = Image.fromarray(img).transform((w, h), Image.Transform.AFFINE, coeffs, Image.Resampling.BILINEAR,
                                         fillcolor=fill)
    return np.asarray(out)


def crop_keep_size(img: np.ndarray, crop: tuple) -> np.ndarray:
    """Cut fractions (top, right, bottom, left) of the sides, resize back to the original size."""
    from PIL import Image

    h, w = img.shape[:2]
    t, r, b, l = crop
    box = (int(round(l * w)), int(round(t * h)), w - int(round(r * w)), h - int(round(b * h)))
    return np.asarray(Image.fromarray(img).crop(box).resize((w, h), Image.Resampling.BILINEAR))


def apply(img: np.ndarray, p: dict, rng: np.random.Generator) -> np.ndarray:
    """Apply one parameter draw (:meth:`PaperAugment.sample`) to a uint8 (H, W, 3) image."""
    from scipy.ndimage import gaussian_filter

    x = img
    if p["hflip"]:
        x = x[:, ::-1]
    if p["vflip"]:
        x = x[::-1]
    x = affine(np.ascontiguousarray(x), p["rotate_deg"], p["scale"])
    x = crop_keep_size(x, p["crop"])
    x = x.astype(np.float32)
    if p["blur_sigma"] > 0:
        x = gaussian_filter(x, sigma=(p["blur_sigma"], p["blur_sigma"], 0), mode="nearest")
    x = 128 + p["contrast"] * (x - 128)
    x = x * p["brightness"]
    if p["noise_sd"] > 0:
        x = x + rng.normal(0, p["noise_sd"], x.shape).astype(np.float32)
    return np.clip(np.round(x), 0, 255).astype(np.uint8)


def balance_classes(images: np.ndarray, labels, n_per_class: int, seed: int = 0,
                    augment: PaperAugment | None = PaperAugment(), classes=(0, 1, 2, 3, 4)):
    """Expand every class of a training set to ``n_per_class`` images with augmented copies.

    A class with more originals than ``n_per_class`` is subsampled (without replacement);
    otherwise all its originals are kept and augmented copies of them (cycling through the
    originals in random order) fill it up.  Classes absent from ``labels`` stay absent.  Use on
    the training set only.

    Returns
    -------
    (images, labels, source, augmented): the new set, the index of each image's original, and
    whether it is an augmented copy.
    """
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    out_idx, aug_flag = [], []
    for c in classes:
        idx = np.flatnonzero(labels == c)
        if idx.size == 0:
            continue
        if idx.size >= n_per_class:
            keep = np.sort(rng.choice(idx, n_per_class, replace=False))
            out_idx += list(keep)
            aug_flag += [False] * n_per_class
            continue
        out_idx += list(idx)
        aug_flag += [False] * idx.size
        extra = n_per_class - idx.size
        cyc = np.concatenate([rng.permutation(idx) for _ in range(int(np.ceil(extra / idx.size)))])[:extra]
        out_idx += list(cyc)
        aug_flag += [True] * extra
    out_idx, aug_flag = np.asarray(out_idx, int), np.asarray(aug_flag, bool)
    new = images[out_idx].copy()
    if augment is not None:
        for k in np.flatnonzero(aug_flag):
            new[k] = augment(images[out_idx[k]], rng)[0]
    return new, labels[out_idx], out_idx, aug_flag
