"""The interpretable baseline: grade a CRST spiral from measurements of the ink trace itself.

Beside the CNNs, the clinician's own cues measured directly (our addition, not in the paper):

1. :func:`separate` -- split the image into printed line and ink.  Each pixel is divided by a
   local paper estimate (a large grey-level closing, blurred): :math:`q_c = x_c / \\hat p_c`.
   Toner darkens all channels alike (small spread :math:`\\max_c q_c - \\min_c q_c`); a coloured
   ink does not.  Ink: darkness :math:`1 - \\bar q > 0.12` and spread :math:`> 0.08`; printed
   line: darkness :math:`> 0.35` and spread :math:`< 0.08`.  (A black ink cannot be told from the
   toner this way; the phantom's inks are coloured, see :mod:`tremorlab.synth.spirals`.)
2. :func:`fit_spiral` -- centre :math:`\\mathbf{c}`, spiral constant :math:`b` (pitch
   :math:`2\\pi b`), turning sense and phase of the printed line, by maximising the
   concentration of the phase :math:`\\psi = r/b - \\alpha` over the line's pixels,
   :math:`R = |\\overline{e^{i\\psi}}|` (on an Archimedean spiral :math:`\\psi` is constant
   modulo :math:`2\\pi`); a coarse grid, then two finer ones.
3. :func:`trace_features` -- for every ink pixel, the turn coordinate
   :math:`L = (r/b - \\alpha - \\psi_0)/2\\pi`; :math:`\\mathrm{frac}(L) - 0.5` is its signed
   distance from the channel centre in pitches.  From these: spread of the deviation, the share
   of ink on or beyond the printed line, ink-line touches (crossings), the deviation signal along
   the spiral (binned by unwrapped angle) and its spectrum -- power at tremor wavelengths
   (0.1-1 pitch) against slow drift --, how far along the spiral the ink reaches, and the amount
   of ink per length of printed line.
4. :class:`TraceGrader` -- standardised features and a multinomial logistic regression.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

#: the CRST grades; :meth:`TraceGrader.predict_proba` has one column per grade
GRADES = (0, 1, 2, 3, 4)
FEATURES = ("dev_sd", "dev_mad", "on_line", "beyond", "touches", "tremor_power", "drift_power", "tremor_ratio",
            "completion", "ink_per_line", "ink_width")


def separate(img: np.ndarray, close_px: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Masks (ink, printed line) of a uint8 RGB image (see the module docstring)."""
    from scipy.ndimage import gaussian_filter, grey_closing

    x = img.astype(np.float32)
    k = close_px or max(5, int(round(img.shape[0] / 28)) | 1)
    paper_rgb = np.stack([gaussian_filter(grey_closing(x[..., c], size=(k, k)), k / 2) for c in range(3)], -1)
    q = x / np.maximum(paper_rgb, 1.0)
    dark = 1 - q.mean(axis=2)
    spread = q.max(axis=2) - q.min(axis=2)
    ink = (dark > 0.12) & (spread > 0.08)
    line = (dark > 0.35) & (spread < 0.08)
    return ink, line


def _concentration(px, py, cx, cy, b, sense):
    dx = (px[None, :] - cx[:, None]).astype(np.float32)
    dy = -(py[None, :] - cy[:, None]).astype(np.float32)
    psi = np.hypot(dx, dy) / b[:, None].astype(np.float32) - sense * np.arctan2(dy, dx)
    c, s = np.cos(psi).mean(axis=1), np.sin(psi).mean(axis=1)
    return np.hypot(c, s), np.arctan2(s, c)


def fit_spiral(line_mask: np.ndarray, max_points: int = 400, seed: int = 0) -> dict:
    """Centre (px), ``b`` (px/rad), ``pitch_px``, ``sense`` (+1 counter-clockwise outwards on
    screen) and phase ``psi0`` of the printed Archimedean line; ``R`` is the fit's concentration."""
    ys, xs = np.nonzero(line_mask)
    if xs.size < 20:
        raise ValueError(f"fit_spiral: only {xs.size} printed-line pixels found; is there a printed spiral?")
    rng = np.random.default_rng(seed)
    pick = rng.choice(xs.size, min(max_points, xs.size), replace=False)
    px, py = xs[pick].astype(float), ys[pick].astype(float)
    n = line_mask.shape[0]
    cx0, cy0 = px.mean(), py.mean()
    best = (-1.0, None)
    span, step = 0.12 * n, 0.03 * n
    pitches = np.linspace(0.03, 0.16, 18) * n
    coarse = px[:150], py[:150]
    for sense in (1, -1):
        offs = np.arange(-span, span + 1e-9, step)
        gx, gy, gp = np.meshgrid(cx0 + offs, cy0 + offs, pitches, indexing="ij")
        R, _ = _concentration(*coarse, gx.ravel(), gy.ravel(), gp.ravel() / (2 * np.pi), sense)
        k = int(np.argmax(R))
        if R[k] > best[0]:
            best = (float(R[k]), (gx.ravel()[k], gy.ravel()[k], gp.ravel()[k], sense))
    cx, cy, pitch, sense = best[1]
    for scale in (0.5, 0.15, 0.04):  # refine around the best
        offs = np.linspace(-step * scale * 2, step * scale * 2, 7)
        poff = np.linspace(-pitch * scale * 0.3, pitch * scale * 0.3, 7)
        gx, gy, gp = np.meshgrid(cx + offs, cy + offs, pitch + poff, indexing="ij")
        R, _ = _concentration(px, py, gx.ravel(), gy.ravel(), gp.ravel() / (2 * np.pi), sense)
        k = int(np.argmax(R))
        cx, cy, pitch = gx.ravel()[k], gy.ravel()[k], gp.ravel()[k]
    b = pitch / (2 * np.pi)
    R, psi = _concentration(px, py, np.array([cx]), np.array([cy]), np.array([b]), sense)
    return {"cx": float(cx), "cy": float(cy), "b": float(b), "pitch_px": float(pitch), "sense": int(sense),
            "psi0": float(psi[0]), "R": float(R[0])}


def turn_coordinate(xs, ys, fit: dict) -> tuple[np.ndarray, np.ndarray]:
    """Turn coordinate :math:`L` (printed line at integers) and the polar angle of pixels."""
    dx, dy = np.asarray(xs, float) - fit["cx"], -(np.asarray(ys, float) - fit["cy"])
    r = np.hypot(dx, dy)
    alpha = np.mod(fit["sense"] * np.arctan2(dy, dx), 2 * np.pi)
    return (r / fit["b"] - alpha - fit["psi0"]) / (2 * np.pi), alpha


def trace_features(img: np.ndarray, fit: dict | None = None) -> dict:
    """The features of :data:`FEATURES` (lengths in pitches) for one image; see the module doc."""
    from scipy.ndimage import binary_dilation, label

    ink, line = separate(img)
    fit = fit or fit_spiral(line)
    ys, xs = np.nonzero(ink)
    out = dict.fromkeys(FEATURES, 0.0)
    if xs.size < 10:
        return out
    L, alpha = turn_coordinate(xs, ys, fit)
    dev = np.mod(L, 1.0) - 0.5
    out["dev_sd"] = float(dev.std())
    out["dev_mad"] = float(np.median(np.abs(dev)))
    half_line = 0.5 * 1.5 / fit["pitch_px"]  # ~1.5 px printed line
    out["on_line"] = float(np.mean(np.abs(dev) > 0.5 - 2 * half_line - 0.05))
    out["beyond"] = float(np.mean(np.abs(dev) > 0.42))
    near = binary_dilation(line, iterations=1) & ink
    out["touches"] = float(label(near)[1])
    # deviation along the spiral: unwrapped angle of the channel the pixel is in
    theta = 2 * np.pi * np.floor(L) + alpha
    lt, la = turn_coordinate(*np.nonzero(line)[::-1], fit)
    theta_line = 2 * np.pi * np.round(lt) + la
    t_end = np.percentile(theta_line, 99) - 2 * np.pi
    out["completion"] = float(np.clip((np.percentile(theta, 98) - 0) / max(t_end, 1e-6), 0, 1.5))
    nb = 512
    edges = np.linspace(0, max(t_end, 1.0), nb + 1)
    idx = np.clip(np.digitize(theta, edges) - 1, 0, nb - 1)
    cnt = np.bincount(idx, minlength=nb)
    sig = np.bincount(idx, weights=dev, minlength=nb) / np.maximum(cnt, 1)
    have = cnt > 0
    if have.sum() > 16:
        sig = np.interp(np.arange(nb), np.flatnonzero(have), sig[have])
        sig = sig - sig.mean()
        spec = np.abs(np.fft.rfft(sig * np.hanning(nb))) ** 2 / nb
        # arc length per bin (in pitches) at the mean radius of the channel
        r_mean = fit["b"] * (0.5 * edges[-1] + np.pi)
        ds = (edges[1] - edges[0]) * r_mean / fit["pitch_px"]
        freq = np.fft.rfftfreq(nb, d=ds)  # cycles per pitch of arc length
        trem = (freq >= 1.0) & (freq <= 10.0)
        drift = (freq > 0) & (freq < 1.0)
        out["tremor_power"] = float(np.log10(spec[trem].sum() + 1e-9))
        out["drift_power"] = float(np.log10(spec[drift].sum() + 1e-9))
        out["tremor_ratio"] = float(spec[trem].sum() / (spec[drift].sum() + spec[trem].sum() + 1e-12))
    out["ink_per_line"] = float(xs.size / max(line.sum(), 1))
    out["ink_width"] = float(xs.size / max(have.sum(), 1) / (edges[1] - edges[0]) / (fit["b"] * (0.5 * edges[-1] + np.pi)))
    return out


def feature_table(images: np.ndarray):
    """DataFrame of :func:`trace_features` for every image (rows in order); failures -> NaN row."""
    import pandas as pd

    rows = []
    for img in images:
        try:
            rows.append(trace_features(img))
        except ValueError:
            rows.append(dict.fromkeys(FEATURES, np.nan))
    return pd.DataFrame(rows, columns=list(FEATURES))


class TraceGrader(ClassifierMixin, BaseEstimator):
    """Standardised trace features -> multinomial logistic regression, a scikit-learn classifier.

    ``fit(features, y)`` fits ``model_``, the pipeline ``StandardScaler -> LogisticRegression(C,
    random_state=seed)`` (missing features, NaN, count as 0); ``classes_`` are the grades seen in
    training.  ``predict_proba`` has one column per grade of :data:`GRADES` (0 for a grade absent
    from training) and ``predict`` is its arg-max, a grade.
    """

    def __init__(self, C: float = 1.0, seed: int = 0):
        self.C = C
        self.seed = seed

    def fit(self, features, y):
        X = np.nan_to_num(np.asarray(features, float))
        y = np.asarray(y)
        if not set(np.unique(y).tolist()) <= set(GRADES):
            raise ValueError(f"TraceGrader: grades must be in {GRADES}, got {sorted(set(np.unique(y).tolist()))}")
        self.model_ = make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=5000,
                                                                        random_state=self.seed))
        self.model_.fit(X, y)
        self.classes_ = self.model_.classes_
        self.n_features_in_ = X.shape[1]
        return self

    def predict_proba(self, features) -> np.ndarray:
        check_is_fitted(self, "model_")
        p = self.model_.predict_proba(np.nan_to_num(np.asarray(features, float)))
        full = np.zeros((len(p), len(GRADES)))
        full[:, self.classes_] = p
        return full

    def predict(self, features) -> np.ndarray:
        return self.predict_proba(features).argmax(1)
