"""Chapter 6 library (tremorlab.tremor.benchmark) on synthetic windows with known answers."""

import numpy as np
import pytest

from tremorlab.io.severity import SeverityWindows
from tremorlab.learn.metrics import confusion
from tremorlab.tremor import benchmark as B

RATE = 50.0


def _sine_windows(amps, freqs, n_axes=3, T=128, rate=RATE, seed=0, noise=0.0):
    rng = np.random.default_rng(seed)
    t = np.arange(T) / rate
    out = []
    for a, f in zip(amps, freqs):
        ph = rng.uniform(0, 2 * np.pi, n_axes)
        w = a * np.sin(2 * np.pi * f * t[:, None] + ph[None, :]) + noise * rng.standard_normal((T, n_axes))
        out.append(w - w.mean(axis=0))
    return np.stack(out)


def test_band_power_amplitude_frequency_fraction_known():
    # a sine of amplitude A on each of 3 axes: mean square 3 A^2 / 2; frequency on a bin
    amps = np.array([0.5, 1.0, 2.0])
    freqs = np.array([5.078125, 6.25, 8.59375])          # bins of a 128-sample window at 50 Hz
    x = _sine_windows(amps, freqs)
    f = B.band_power_features(x, RATE)
    np.testing.assert_allclose(f["amplitude"], amps * np.sqrt(1.5), rtol=0.03)
    np.testing.assert_allclose(f["frequency"], freqs)
    assert np.all(f["fraction"] > 0.97)
    # a 1 Hz sine is voluntary: almost nothing in 3-12 Hz
    slow = B.band_power_features(_sine_windows([1.0], [1.171875]), RATE)
    assert slow["fraction"][0] < 0.02


@pytest.mark.parametrize("T", [128, 127])
def test_hann_spectrum_is_scipy_periodogram_of_the_explicit_formula(T):
    """``S_k = c_k |X_k|^2 / (T sum w^2)`` written out with the DFT (the code scipy's periodogram replaced), on
    sines plus noise with an offset, even and odd window lengths: the same to float rounding; the bins sum to the
    windows' mean square (Parseval; a sine on a bin, 3 axes: 3 A^2 / 2)."""
    x = _sine_windows([0.5, 1.0, 2.0], [5.078125, 6.25, 8.59375], T=T, noise=0.3) + 0.7
    w = np.hanning(T + 2)[1:-1]
    X = np.fft.rfft((x - x.mean(axis=1, keepdims=True)) * w[None, :, None], axis=1)
    c = np.full(X.shape[1], 2.0)
    c[0] = 1.0
    if T % 2 == 0:
        c[-1] = 1.0
    explicit = (np.abs(X) ** 2).sum(axis=2) * c[None, :] / (T * np.sum(w ** 2))
    f, S = B._hann_spectrum(x, RATE)
    np.testing.assert_array_equal(f, np.fft.rfftfreq(T, 1.0 / RATE))
    np.testing.assert_allclose(S, explicit, rtol=1e-12, atol=1e-14 * explicit.max())
    pure = _sine_windows([1.0], [6.25], T=128)
    assert B._hann_spectrum(pure, RATE)[1].sum() == pytest.approx(1.5, rel=1e-3)


def test_tremor_features_of_identity_and_half():
    x = _sine_windows([1.0, 3.0], [5.46875, 4.296875])
    f = B.tremor_features(x, x, RATE)
    np.testing.assert_allclose(f["amplitude"], [np.sqrt(1.5), 3 * np.sqrt(1.5)], rtol=0.02)
    np.testing.assert_allclose(f["fraction"], 1.0)
    np.testing.assert_allclose(f["frequency"], [5.46875, 4.296875])
    half = B.tremor_features(x / 2, x, RATE)
    np.testing.assert_allclose(half["fraction"], 0.25)
    with pytest.raises(ValueError, match="differ"):
        B.tremor_features(x[:1], x, RATE)
    bad = x.copy()
    bad[1, 3, 2] = np.nan
    with pytest.raises(ValueError, match="window 1, sample 3, axis 2"):
        B.band_power_features(bad, RATE)


def _dataset(amps, freqs, windows_per_segment=3, seed=0, slow=0.0):
    n = len(amps)
    x = _sine_windows(np.repeat(amps, windows_per_segment), np.repeat(freqs, windows_per_segment), seed=seed)
    if slow:
        t = np.arange(128) / RATE
        x = x + slow * (np.sin(2 * np.pi * 0.5 * t) - np.sin(2 * np.pi * 0.5 * t).mean())[None, :, None]
    return SeverityWindows("synthetic", x, np.repeat(np.arange(n) % 4, windows_per_segment),
                           np.repeat(np.arange(n), windows_per_segment), np.tile(np.arange(windows_per_segment), n), "m/s^2")


@pytest.mark.parametrize("name", B.STREAMING)
def test_streaming_estimators_find_tremor_amplitude_and_frequency(name):
    # continuous 6 Hz tremor of two amplitudes on a slow 0.5 Hz voluntary motion: the estimators'
    # tremor amplitude orders the segments, sits near the truth and peaks at 6 Hz
    t = np.arange(6 * 128) / RATE
    segs = []
    for a in (0.5, 2.0):
        s = a * np.sin(2 * np.pi * 6.25 * t)[:, None] * np.ones(3) + 3.0 * np.sin(2 * np.pi * 0.5 * t)[:, None]
        w = s.reshape(6, 128, 3)
        segs.append(w - w.mean(axis=1, keepdims=True))
    ds = SeverityWindows("synthetic", np.concatenate(segs), np.repeat([0, 2], 6), np.repeat([1, 2], 6),
                         np.tile(np.arange(6), 2), "m/s^2")
    f = B.tremor_features(B.streaming_tremor(ds, name), B.upsample(ds.x), 2 * RATE)
    late = np.r_[2:6, 8:12]                           # after the filters converged
    truth = np.repeat([0.5, 2.0], 4) * np.sqrt(1.5)
    ratio = f["amplitude"][late] / truth
    assert np.all((ratio > 1 / 3) & (ratio < 1.5)), ratio      # BMFLC's small step converges slowly
    assert f["amplitude"][8:12].min() > 2 * f["amplitude"][2:6].max()
    np.testing.assert_allclose(f["frequency"][late], 6.25, atol=0.4)


def test_phtnet_tremor_shapes_and_scale():
    torch = pytest.importorskip("torch")
    from tremorlab.tremor import phtnet as P

    torch.manual_seed(0)
    model = P.PHTNet(P.PHTNetConfig(hidden_size=4, num_layers=1, window=256))
    x = _sine_windows([1.0, 4.0], [5.0, 5.0], seed=1)
    tf, tb = B.phtnet_tremor(model, x)
    assert tf.shape == tb.shape == (2, 255, 3)
    # scale equivariance: the min-max scaling makes the estimate proportional to the input
    tf2, _ = B.phtnet_tremor(model, 3 * x)
    np.testing.assert_allclose(tf2, 3 * tf, rtol=1e-4, atol=1e-5)


def test_spearman_auc_and_segment_bootstrap():
    y = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    s = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    ranks_y = np.array([1.5, 1.5, 3.5, 3.5, 5.5, 5.5, 7.5, 7.5])          # mid-ranks of the ties
    assert B.spearman(y, s) == pytest.approx(np.corrcoef(ranks_y, np.arange(1, 9))[0, 1])
    assert B.auc(y >= 1, s) == 1.0
    assert B.auc(y >= 1, -s) == 0.0
    assert B.auc(np.array([0, 1]), np.array([1.0, 1.0])) == 0.5        # ties count one half
    with pytest.raises(ValueError):
        B.auc(np.ones(3), np.arange(3))
    seg = np.repeat(np.arange(4), 2)
    est, lo, hi = B.segment_bootstrap(lambda y, s: B.auc(y >= 1, s), {"y": y, "s": s}, seg, n_boot=200)
    assert est == 1.0 and lo == 1.0 and hi == 1.0
    # resampling whole segments: a metric of the segment count only sees whole segments
    _, lo, hi = B.segment_bootstrap(lambda y: float(y.size % 2), {"y": y}, seg, n_boot=100)
    assert lo == hi == 0.0


def test_youden_threshold_and_balanced_accuracy():
    y = np.array([0, 0, 0, 1, 1, 1])
    s = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    t = B.youden_threshold(y, s)
    assert 3.0 < t <= 4.0
    assert B.balanced_accuracy(y, s >= t) == 1.0
    assert B.balanced_accuracy(y, np.ones(6)) == 0.5


def test_rating_stats_on_a_monotone_synthetic_set():
    amps = np.array([0.1, 0.5, 1.0, 2.0] * 5)
    freqs = np.full(20, 5.078125)
    ds = _dataset(amps, freqs)
    f = B.band_power_features(ds.x, RATE)
    st = B.rating_stats(f, ds.severity, ds.segment, n_boot=100)
    # amplitude is monotone in the rating: rho = correlation of the ratings' mid-ranks with 1..n
    from scipy.stats import rankdata
    order = np.argsort(f["amplitude"])
    assert np.all(np.diff(ds.severity[order]) >= 0)
    assert st["rho"].estimate == pytest.approx(np.corrcoef(rankdata(ds.severity), rankdata(f["amplitude"]))[0, 1])
    assert st["auc"].estimate == 1.0
    assert st["frequency"][2].estimate == pytest.approx(5.078125)
    # a trained estimator: one column per seed; the statistics are means over the seeds
    two = {"amplitude": np.column_stack([f["amplitude"], -f["amplitude"]]),
           "frequency": np.column_stack([f["frequency"], f["frequency"]])}
    st2 = B.rating_stats(two, ds.severity, ds.segment, n_boot=100)
    assert st2["rho"].per_seed == pytest.approx((st["rho"].estimate, -st["rho"].estimate))
    assert st2["rho"].estimate == pytest.approx(0.0, abs=1e-12)
    assert st2["auc"].per_seed == (1.0, 0.0) and st2["auc"].estimate == 0.5


def test_seed_mean():
    y = np.array([0, 1, 2, 3])
    s = np.array([[1.0, 4.0], [2.0, 3.0], [3.0, 2.0], [4.0, 1.0]])
    assert B.seed_mean(B.spearman, y, s) == pytest.approx(0.0)
    assert B.seed_mean(B.spearman, y, s[:, 0]) == pytest.approx(1.0)


def test_severity_model_recovers_classes_by_segment():
    rng = np.random.default_rng(0)
    n_seg, per = 80, 3
    sev = np.repeat(np.arange(n_seg) % 4, per)
    seg = np.repeat(np.arange(n_seg), per)
    X = np.column_stack([sev + 0.2 * rng.standard_normal(sev.size), rng.standard_normal(sev.size)])
    p = B.grouped_cv_predict(X, sev, seg, n_splits=4, seed=0, n_estimators=50)
    cm = confusion(sev, p.argmax(axis=1), range(4))
    assert cm.sum() == sev.size and np.trace(cm) / cm.sum() > 0.9
    assert min(B.per_class_recall(cm)) > 0.8
    score = B.expected_severity(p, range(4))
    assert B.spearman(sev, score) > 0.9
    # the folds hold whole segments: fit on folds never including the test segment
    from sklearn.model_selection import StratifiedGroupKFold
    for tr, te in StratifiedGroupKFold(4, shuffle=True, random_state=0).split(X, sev, seg):
        assert not set(seg[tr]) & set(seg[te])


def test_feature_matrix_columns():
    ds = _dataset(np.array([1.0, 2.0]), np.array([5.0, 6.0]))
    feats = B.run_estimators(ds, which=("identity", "band power"))
    X, names = B.feature_matrix(feats, ("identity", "band power"))
    assert X.shape == (6, 6) and names[0] == "identity: log amplitude" and names[5] == "band power: frequency"
    with pytest.raises(ValueError, match="PHTNet"):
        B.run_estimators(ds, which=("PHTNet forward",))
    with pytest.raises(ValueError, match="unknown"):
        B.run_estimators(ds, which=("nope",))


def test_pen_reference_and_cancellers():
    t = np.arange(8 * 128) / RATE
    sig = np.column_stack([2 * np.sin(2 * np.pi * 5 * t), np.sin(2 * np.pi * 5 * t), 0.01 * np.cos(2 * np.pi * 0.3 * t)])
    x = B.pen_reference(sig, RATE, 200.0)
    assert x.size == 4 * sig.shape[0]
    assert np.sqrt(np.mean(x ** 2)) == pytest.approx(1.0)
    from tremorlab.adaptive import anc
    from tremorlab.adaptive import montecarlo as mc

    res = B.canceller_attenuation_db(x, anc.ALGORITHMS, mc.PAPER_PARAMS)
    assert set(res) == set(anc.ALGORITHMS)
    # a pure 5 Hz tremor is cancelled well by the recursive filters
    assert res["rls"] > 10 and res["nlms"] > 3
    with pytest.raises(ValueError):
        B.pen_reference(np.zeros((4, 3)))
