"""The book's tremor estimators and cancellers on rated real tremor (chapter 6).

Every estimator sees the same input: the rated 2.56-s windows of
:func:`tremorlab.io.read_severity_dataset` (3 axes, m/s^2, 50 Hz, each window's mean removed).
From each estimator's tremor estimate, per window (:func:`tremor_features`):

* **amplitude**: root of the summed mean squares of the three axes' tremor estimates (m/s^2),
* **frequency**: the peak of the summed Hann periodograms of the tremor estimate in 0.5-20 Hz,
* **fraction**: the tremor estimate's power over the input's power (both mean-removed).

Estimators (all parameters fixed before the ratings are read; none is fitted to them):

* ``identity``: the input itself is the "tremor" (no estimation).
* ``band power``: the 3-12 Hz part of a Hann-windowed periodogram, 3 axes summed
  (:func:`band_power_features`); its tremor estimate is the band-limited window.
* ``BMFLC``, ``EBMFLC``, ``WAKE``: the classes of chapter 3 with their defaults, at their 100 Hz:
  each segment is rebuilt from its consecutive windows (:func:`tremorlab.io.severity.rebuild_segment`),
  up-sampled 2x (polyphase), each axis min-max scaled to [0, 1] (the chapter-3 input range) and
  run from a cold start over one window of run-in (the segment's first window, time-reversed)
  followed by the segment; the tremor estimate is scaled back and cut into the windows.
* ``PHTNet forward`` / ``PHTNet backward``: a network of chapter 3 trained on the phantom atlas
  (:func:`train_phtnet_on_atlas`), run on a batch of windows (each axis of each window min-max
  scaled to [0, 1], up-sampled to 100 Hz); tremor = input minus the voluntary estimate, aligned
  one sample ahead as the network was trained.

Statistics against the rating (:func:`rating_stats`): Spearman's rho of the amplitude with the
severity, the AUC of the amplitude for severity >= 1 vs 0 and the median frequency by
severity, each with a percentile bootstrap that resamples whole segments.
"""

from __future__ import annotations

import numpy as np
from scipy import signal as sps
from scipy import stats as spstats

from tremorlab.learn import metrics as seed_metrics
from tremorlab import parallel
from tremorlab.adaptive import anc
from tremorlab.adaptive.base import FilterDivergedError, StabilityError
from tremorlab.adaptive.fxlms import filtered_reference
from tremorlab.dsp import bandpass
from tremorlab.learn.metrics import group_bootstrap, seed_bootstrap
from tremorlab.learn.splits import grouped_folds
from tremorlab.synth.tremor_atlas import pseudo_action_windows, split_patients, tremor_atlas
from tremorlab.tremor import BMFLC, EBMFLC, WAKE
from tremorlab.tremor import phtnet as P

TREMOR_BAND_HZ = (3.0, 12.0)
FREQ_SEARCH_HZ = (0.5, 20.0)
ESTIMATOR_RATE_HZ = 100.0
STREAMING = ("BMFLC", "EBMFLC", "WAKE")
ESTIMATORS = ("identity", "band power", "BMFLC", "EBMFLC", "WAKE", "PHTNet forward", "PHTNet backward")


# ----------------------------------------------------------------------------------------- features
def _check_windows3(x, name: str = "windows") -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim != 3 or x.shape[1] < 8:
        raise ValueError(f"{name}: expected shape (n_windows, n_samples >= 8, n_axes), got {x.shape}")
    if not np.all(np.isfinite(x)):
        w, i, a = np.argwhere(~np.isfinite(x))[0]
        raise ValueError(f"{name}: window {w}, sample {i}, axis {a} is not finite")
    return x


def _hann_spectrum(x: np.ndarray, rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """One-sided mean-square spectrum per bin, axes summed: sum over bins = window mean square.

    ``S_k = c_k |X_k|^2 / (T sum w^2)`` with ``X`` the DFT of the mean-removed, Hann-weighted
    window and ``c_k = 2`` except at 0 Hz and Nyquist (1); Parseval makes ``sum_k S_k`` the mean
    square of a stationary signal.  That is :func:`scipy.signal.periodogram`'s density (which
    divides by ``rate_hz sum w^2``) times the bin width ``rate_hz / T``; ``w`` is the Hann window
    without its zero end points.
    """
    T = x.shape[1]
    f, density = sps.periodogram(x, rate_hz, window=np.hanning(T + 2)[1:-1], detrend="constant",
                                 scaling="density", axis=1)
    return f, density.sum(axis=2) * rate_hz / T


def band_power_features(windows, rate_hz: float, band_hz=TREMOR_BAND_HZ) -> dict:
    """Plain band power: amplitude (root of the band's mean square, axes summed), fraction, peak.

    Returns dict of arrays (n_windows,): ``amplitude`` (units of the input), ``fraction`` (band
    mean square over the total), ``frequency`` (Hz, the peak bin inside the band).
    """
    x = _check_windows3(windows)
    f, S = _hann_spectrum(x, rate_hz)
    m = (f >= band_hz[0]) & (f <= band_hz[1])
    if not m.any():
        raise ValueError(f"no frequency bin of a {x.shape[1]}-sample window at {rate_hz} Hz lies in {band_hz} Hz")
    band = S[:, m].sum(axis=1)
    total = S[:, 1:].sum(axis=1)
    frac = np.divide(band, total, out=np.zeros_like(band), where=total > 0)
    return {"amplitude": np.sqrt(band), "fraction": frac, "frequency": f[m][np.argmax(S[:, m], axis=1)]}


def tremor_features(tremor, reference, rate_hz: float, search_hz=FREQ_SEARCH_HZ) -> dict:
    """Amplitude, fraction and dominant frequency of a tremor estimate (n, T, axes) per window."""
    tr = _check_windows3(tremor, "tremor")
    ref = _check_windows3(reference, "reference")
    if tr.shape[0] != ref.shape[0] or tr.shape[2] != ref.shape[2]:
        raise ValueError(f"tremor {tr.shape} and reference {ref.shape} differ in windows or axes")
    p_tr = tr.var(axis=1).sum(axis=1)
    p_ref = ref.var(axis=1).sum(axis=1)
    f, S = _hann_spectrum(tr, rate_hz)
    m = (f >= search_hz[0]) & (f <= search_hz[1])
    return {"amplitude": np.sqrt(p_tr), "fraction": np.divide(p_tr, p_ref, out=np.zeros_like(p_tr), where=p_ref > 0),
            "frequency": f[m][np.argmax(S[:, m], axis=1)]}


# ---------------------------------------------------------------------------------------- estimators
def upsample(x: np.ndarray, factor: int = 2, axis: int = 1) -> np.ndarray:
    """Polyphase up-sampling by an integer factor (``scipy.signal.resample_poly``)."""
    return sps.resample_poly(np.asarray(x, dtype=float), int(factor), 1, axis=axis)


def _make_streaming(name: str, rate_hz: float):
    return {"BMFLC": BMFLC, "EBMFLC": EBMFLC, "WAKE": WAKE}[name](sampling_rate_hz=rate_hz)


def streaming_tremor(ds, name: str, factor: int = 2) -> np.ndarray:
    """Tremor estimate (n_windows, factor * 128, 3) of BMFLC / EBMFLC / WAKE, in the order of ``ds``.

    Per segment and axis: rebuilt, up-sampled, min-max scaled to [0, 1], run from a cold start
    over one window of run-in (the first window, time-reversed) then the segment; scaled back.
    """
    if name not in STREAMING:
        raise ValueError(f"name must be one of {STREAMING}, got {name!r}")
    rate = ds.rate_hz * factor
    T = ds.x.shape[1] * factor
    out = np.empty((ds.n_windows, T, ds.x.shape[2]))
    segs = list(ds.segments)
    # segments are independent (each filter starts cold): one executor task each
    signals = [upsample(ds.segment_signal(seg), factor, axis=0) for seg in segs]
    ests = parallel.pmap(_stream_segment, signals, [name] * len(segs), [rate] * len(segs), [T] * len(segs))
    for seg, est in zip(segs, ests):
        idx = np.flatnonzero(ds.segment == seg)
        idx = idx[np.argsort(ds.position[idx])]
        out[idx] = est.reshape(idx.size, T, -1)
    return out


def _stream_segment(s: np.ndarray, name: str, rate: float, T: int) -> np.ndarray:
    """One segment (samples, axes), each axis scaled to [0, 1], run cold over a mirrored run-in."""
    est = np.empty_like(s)
    for a in range(s.shape[1]):
        lo, span = s[:, a].min(), np.ptp(s[:, a])
        if span == 0:
            est[:, a] = 0.0
            continue
        u = (s[:, a] - lo) / span
        filt = _make_streaming(name, rate)
        _, tr = filt.run(np.concatenate([u[:T][::-1], u]))
        est[:, a] = tr[T:] * span
    return est


def phtnet_tremor(model, windows, factor: int = 2, batch_size: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """Forward and backward tremor estimates (n, factor*T - 1, axes) of a batch of windows.

    Each axis of each window is up-sampled, min-max scaled to [0, 1], run through
    :func:`tremorlab.tremor.phtnet.predict` (batched), and ``tremor[t] = x[t + 1] - y[t]``
    (the network's output at ``t`` estimates the voluntary motion at ``t + 1``), scaled back.
    """
    x = upsample(_check_windows3(windows), factor, axis=1)
    n, T, c = x.shape
    flat = x.transpose(0, 2, 1).reshape(n * c, T)
    lo = flat.min(axis=1, keepdims=True)
    span = np.ptp(flat, axis=1, keepdims=True)
    span = np.where(span > 0, span, 1.0)
    u = (flat - lo) / span
    yf, yb = P.predict(model, u, rate_hz=50.0 * factor, batch_size=batch_size)
    back = lambda y: ((u[:, 1:] - y[:, :-1]) * span).reshape(n, c, T - 1).transpose(0, 2, 1)
    return back(yf), back(yb)


def train_phtnet_on_atlas(n_patients: int = 30, tasks=("rest-1", "posture-1"), window: int = 256,
                          n_train: int = 600, n_val: int = 150, hidden_size: int = 16, num_layers: int = 1,
                          epochs: int = 3, batch_size: int = 32, learning_rate: float = 3e-3, seed: int = 0,
                          threads: int | None = 1):
    """A PHTNet trained as in chapter 3 (phantom atlas, pseudo-synthesised action windows).

    Patients are split 60 / 20 / 20 %; windows of ``window`` samples at 100 Hz; the target is the
    voluntary ground truth one sample ahead; the weights of the best validation epoch are kept.
    Returns ``(model, history)``.
    """
    P.set_determinism(seed, threads=threads)
    atlas = tremor_atlas(n_patients=n_patients, n_pd=round(n_patients * 47 / 81), tasks=tuple(tasks), seed=seed)
    n_va = max(1, round(n_patients * 0.2))
    tr_p, va_p, _ = split_patients(n_patients, (n_patients - 2 * n_va, n_va, n_va), seed=seed)

    def recs(pats):
        rows = np.flatnonzero(np.isin(atlas["patient"], pats))
        return [atlas["signals"][i, :, j] for i in rows for j in range(3)]

    tr = pseudo_action_windows(recs(tr_p), n_train, window=window, run_in=0, seed=seed + 1)
    va = pseudo_action_windows(recs(va_p), n_val, window=window, run_in=0, seed=seed + 2)
    model = P.PHTNet(P.PHTNetConfig(hidden_size=hidden_size, num_layers=num_layers, window=window,
                                    sampling_rate_hz=ESTIMATOR_RATE_HZ))
    hist = P.train(model, tr["input"][:, :-1], tr["truth"][:, 1:], va["input"][:, :-1], va["truth"][:, 1:],
                   epochs=epochs, batch_size=batch_size, learning_rate=learning_rate, seed=seed)
    return model, hist


def run_estimators(ds, model=None, which=ESTIMATORS, timings: dict | None = None) -> dict:
    """Features (amplitude, fraction, frequency; arrays over ``ds``'s windows) of each estimator.

    ``timings`` (optional dict) receives the seconds each estimator took.
    """
    import time

    out = {}
    x = ds.x
    up = None
    for name in which:
        t0 = time.perf_counter()
        if name == "identity":
            out[name] = tremor_features(x, x, ds.rate_hz)
        elif name == "band power":
            out[name] = band_power_features(x, ds.rate_hz)
        elif name in STREAMING:
            if up is None:
                up = upsample(x, 2, axis=1)
            out[name] = tremor_features(streaming_tremor(ds, name), up, 2 * ds.rate_hz)
        elif name in ("PHTNet forward", "PHTNet backward"):
            if model is None:
                raise ValueError(f"{name}: pass a trained PHTNet as model")
            key = "_phtnet"
            if key not in out:
                if up is None:
                    up = upsample(x, 2, axis=1)
                tf, tb = phtnet_tremor(model, x)
                out[key] = {"PHTNet forward": tremor_features(tf, up[:, 1:], 2 * ds.rate_hz),
                            "PHTNet backward": tremor_features(tb, up[:, 1:], 2 * ds.rate_hz)}
            out[name] = out[key][name]
        else:
            raise ValueError(f"unknown estimator {name!r}; expected one of {ESTIMATORS}")
        if timings is not None:
            timings[name] = time.perf_counter() - t0
    out.pop("_phtnet", None)
    return out


# ----------------------------------------------------------------------------- statistics vs rating
def spearman(y, s) -> float:
    y, s = np.asarray(y), np.asarray(s)
    if np.unique(y).size < 2 or np.unique(s).size < 2:
        raise ValueError("Spearman's rho needs at least two distinct values on each side")
    return float(spstats.spearmanr(y, s).statistic)


def auc(y_binary, s) -> float:
    """Area under the ROC curve (Mann-Whitney form, ties counted as one half)."""
    y = np.asarray(y_binary).astype(bool)
    s = np.asarray(s, dtype=float)
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        raise ValueError("AUC needs both classes")
    r = spstats.rankdata(s)
    return float((r[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


#: Estimate and percentile interval of ``stat(**arrays)`` resampling whole segments:
#: ``segment_bootstrap(stat, arrays, segment, n_boot, seed, level)``.
segment_bootstrap = group_bootstrap


def seed_mean(stat, *columns_first):
    """``stat`` of each seed column (the shared 1-D arrays passed whole), averaged over the columns.

    ``seed_mean(f, y, s)`` with ``y`` 1-D and ``s`` of shape ``(n, k)`` is
    ``mean_j f(y, s[:, j])``: the mean over training seeds of a statistic of one seed.
    """
    k = max((np.ndim(a) == 2 and np.shape(a)[1]) or 1 for a in columns_first)
    cols = [[a[:, j] if np.ndim(a) == 2 else a for a in columns_first] for j in range(k)]
    return float(np.mean([stat(*c) for c in cols]))


def rating_stats(feats: dict, severity, segment, n_boot: int = 1000, seed: int = 0) -> dict:
    """Spearman rho, AUC (>= 1 vs 0) of the amplitude and median frequency by severity, with CIs.

    A feature array of shape ``(n_windows, n_seeds)`` (one column per training seed, e.g. PHTNet)
    gives the mean over seeds of each statistic and an interval from the two-level bootstrap of
    :func:`tremorlab.learn.metrics.seed_bootstrap` (segments x seeds); a 1-D array is one column.
    Each value is a :class:`~tremorlab.learn.metrics.SeedInterval` (``estimate, low, high``
    unpack, ``per_seed`` lists each seed alone).
    """
    y = np.asarray(severity)
    amp = seed_metrics.seed_columns(feats["amplitude"])
    res = {"rho": seed_bootstrap(lambda y, s: seed_mean(spearman, y, s), {"y": y, "s": amp}, segment, n_boot, seed),
           "auc": seed_bootstrap(lambda y, s: seed_mean(lambda a, b: auc(a >= 1, b), y, s), {"y": y, "s": amp},
                                 segment, n_boot, seed)}
    freq = seed_metrics.seed_columns(feats["frequency"])
    seg = np.asarray(segment)
    res["frequency"] = {}
    for k in np.unique(y):
        m = y == k
        res["frequency"][int(k)] = seed_bootstrap(lambda f: seed_mean(lambda c: float(np.median(c)), f), {"f": freq[m]},
                                                  seg[m], n_boot, seed)
    return res


def youden_threshold(y_binary, s) -> float:
    """The threshold on ``s`` that maximises sensitivity + specificity (``s >= t`` is positive)."""
    y = np.asarray(y_binary).astype(bool)
    s = np.asarray(s, dtype=float)
    cand = np.unique(s)
    best, best_t = -np.inf, cand[0]
    srt = np.sort(s)
    pos, neg = np.sort(s[y]), np.sort(s[~y])
    if pos.size == 0 or neg.size == 0:
        raise ValueError("Youden's threshold needs both classes")
    for t in cand:
        sens = 1 - np.searchsorted(pos, t, side="left") / pos.size
        spec = np.searchsorted(neg, t, side="left") / neg.size
        if sens + spec > best:
            best, best_t = sens + spec, t
    del srt
    return float(best_t)


def balanced_accuracy(y_binary, pred) -> float:
    y = np.asarray(y_binary).astype(bool)
    p = np.asarray(pred).astype(bool)
    if y.all() or (~y).all():
        raise ValueError("balanced accuracy needs both classes")
    return float((np.mean(p[y]) + np.mean(~p[~y])) / 2)


# ---------------------------------------------------------------------------------- severity model
def feature_matrix(feats: dict, names=None) -> tuple[np.ndarray, list[str]]:
    """Columns: log10 amplitude, fraction and frequency of each estimator (in ``names`` order)."""
    names = list(feats) if names is None else list(names)
    cols, labels = [], []
    for n in names:
        f = feats[n]
        cols += [np.log10(np.asarray(f["amplitude"]) + 1e-6), np.asarray(f["fraction"]), np.asarray(f["frequency"])]
        labels += [f"{n}: log amplitude", f"{n}: fraction", f"{n}: frequency"]
    return np.column_stack(cols), labels


def make_severity_model(seed: int = 0, n_estimators: int = 200):
    """The severity model, fixed a priori: a balanced random forest (min 5 windows per leaf)."""
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=n_estimators, min_samples_leaf=5, class_weight="balanced_subsample",
                                  random_state=seed, n_jobs=1)


def expected_severity(proba: np.ndarray, classes) -> np.ndarray:
    """``sum_k k p_k`` over the model's classes (a continuous severity score)."""
    return np.asarray(proba) @ np.asarray(classes, dtype=float)


def grouped_cv_predict(X, y, segment, n_splits: int = 5, seed: int = 0, n_estimators: int = 200) -> np.ndarray:
    """Out-of-fold class probabilities (n, 4) with folds of whole segments (stratified)."""
    y = np.asarray(y)
    proba = np.zeros((y.size, 4))
    for tr, te in grouped_folds(y, segment, n_splits, seed):
        m = make_severity_model(seed, n_estimators).fit(X[tr], y[tr])
        proba[np.ix_(te, m.classes_)] = m.predict_proba(X[te])
    return proba


def per_class_recall(cm: np.ndarray) -> list[float]:
    rows = cm.sum(axis=1)
    return [float(cm[k, k] / rows[k]) if rows[k] else float("nan") for k in range(cm.shape[0])]


# ------------------------------------------------------------------------------ cancellers (chapter 2)
def pen_reference(segment_signal: np.ndarray, rate_in_hz: float = 50.0, rate_hz: float = 200.0,
                  band_hz=TREMOR_BAND_HZ) -> np.ndarray:
    """A real segment as the pen's tremor reference (chapter 2's form): principal axis, resampled
    to ``rate_hz`` (polyphase), band-passed to the tremor band, scaled to unit RMS."""
    from fractions import Fraction

    s = np.asarray(segment_signal, dtype=float)
    if s.ndim != 2 or s.shape[0] < 16:
        raise ValueError(f"segment_signal: expected (n_samples >= 16, axes), got {s.shape}")
    s = s - s.mean(axis=0)
    _, _, vt = np.linalg.svd(s, full_matrices=False)
    p = s @ vt[0]
    fr = Fraction(float(rate_hz) / float(rate_in_hz)).limit_denominator(1000)
    x = sps.resample_poly(p, fr.numerator, fr.denominator)
    x = bandpass(x, rate_hz, band_hz)
    rms = np.sqrt(np.mean(x ** 2))
    if rms == 0:
        raise ValueError("segment_signal has no power in the tremor band")
    return x / rms


def canceller_attenuation_db(x: np.ndarray, algorithms, params: dict, noise_std: float = 0.01, seed: int = 0,
                             tail: float = 0.25) -> dict:
    """Steady-state attenuation (dB, positive = tremor reduced) of each algorithm on reference ``x``.

    The chapter-2 pen: ``d = P * x + v`` (``v`` white, ``noise_std``), residual ``e`` of
    :func:`tremorlab.adaptive.anc.simulate`; attenuation ``-10 log10(sum e^2 / sum d^2)`` over the
    last ``tail`` of the signal.  A diverging or unstable filter gives NaN.
    """
    rng = np.random.default_rng(seed)
    d = anc.disturbance(x, noise_std=noise_std, rng=rng)
    xf = filtered_reference(x, anc.SECONDARY_PATH)
    k = int(round(x.size * (1 - tail)))
    out = {}
    for a in algorithms:
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                e = anc.simulate(a, x, d, params[a], filtered=xf)
            v = -10 * np.log10(np.sum(e[k:] ** 2) / np.sum(d[k:] ** 2))
            out[a] = float(v) if np.isfinite(v) else float("nan")
        except (StabilityError, FilterDivergedError):
            out[a] = float("nan")
    return out


__all__ = ["ESTIMATORS", "STREAMING", "TREMOR_BAND_HZ", "band_power_features", "tremor_features", "upsample",
           "streaming_tremor", "phtnet_tremor", "train_phtnet_on_atlas", "run_estimators", "spearman", "auc",
           "segment_bootstrap", "seed_mean", "rating_stats", "youden_threshold", "balanced_accuracy", "feature_matrix",
           "make_severity_model", "expected_severity", "grouped_cv_predict", "per_class_recall",
           "pen_reference", "canceller_attenuation_db"]
