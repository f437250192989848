"""The tremor atlas, the pseudo-synthesised windows and the evaluation statistics."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal as sps
from scipy import stats

from tremorlab.synth.tremor_atlas import pseudo_action_windows, split_patients, tremor_atlas
from tremorlab.tremor import evaluation as E


def test_atlas_shapes_rates_and_bands():
    at = tremor_atlas(n_patients=6, n_pd=3, tasks=("rest-1", "posture-1"), duration_s=10.0, seed=1)
    assert at["signals"].shape == (12, 1000, 3) and at["rate_hz"] == 100.0
    assert list(at["kind"][:6]) == ["pd"] * 6 and list(at["kind"][6:]) == ["et"] * 6
    for i in range(12):
        par = at["patients"][at["patient"][i]]
        lo, hi = (4.0, 6.0) if par["kind"] == "pd" else (4.0, 8.0)
        assert lo <= par["frequency_hz"] <= hi
        x = at["signals"][i, :, 0]
        f, p = sps.welch(x - x.mean(), fs=100.0, nperseg=1000)
        assert abs(f[np.argmax(p)] - par["frequency_hz"]) <= par["drift_hz"] + 0.15
    # PD trembles more at rest than in posture, ET the other way round (same patient)
    amp = lambda i: np.std(at["signals"][i, :, 0])   # noqa: E731
    assert amp(0) > amp(1)             # patient 0 (PD): rest-1, posture-1
    assert amp(10) < amp(11)           # patient 5 (ET)
    again = tremor_atlas(n_patients=6, n_pd=3, tasks=("rest-1", "posture-1"), duration_s=10.0, seed=1)
    np.testing.assert_array_equal(at["signals"], again["signals"])


def test_downsampling_keeps_the_tremor_band():
    """1500 -> 100 Hz: a 5 Hz tremor keeps its amplitude (anti-alias filter passes it)."""
    at = tremor_atlas(n_patients=1, n_pd=1, tasks=("rest-1",), duration_s=10.0, seed=2)
    x = at["signals"][0, 200:-200, 0]
    assert 0.02 < np.std(x) < 2.0 and np.all(np.isfinite(x))


def test_split_patients_sizes_disjoint():
    tr, va, te = split_patients(81, (49, 16, 16), seed=0)
    assert (len(tr), len(va), len(te)) == (49, 16, 16)
    assert len(set(tr) | set(va) | set(te)) == 81
    with pytest.raises(ValueError, match="add up"):
        split_patients(81, (50, 16, 16))


def test_pseudo_action_windows_follow_the_paper():
    rng = np.random.default_rng(0)
    recs = [np.cumsum(rng.standard_normal(1500)) for _ in range(5)]
    W = pseudo_action_windows(recs, 400, window=400, run_in=100, seed=3, groups=[10, 11, 12, 13, 14])
    x, y = W["input"], W["truth"]
    assert x.shape == y.shape == (400, 501)
    assert x.min() >= 0 - 1e-12 and x.max() <= 1 + 1e-12
    assert np.all((W["a"] >= 0) & (W["a"] <= 0.25)) and np.all((W["f"] >= 0) & (W["f"] <= 3))
    assert np.all((W["phi"] >= 0) & (W["phi"] <= np.pi))
    # input - truth is the scaled static segment minus its mean: spans exactly 0.5
    d = x - y
    np.testing.assert_allclose(np.ptp(d, axis=1), 0.5)
    np.testing.assert_allclose(d.mean(axis=1), 0, atol=1e-12)
    # truth = 0.25 + a sin(2 pi f t + phi) + offset
    t = np.arange(501) / 100.0
    k = 7
    np.testing.assert_allclose(y[k], 0.25 + W["offset"][k] + W["a"][k] * np.sin(2 * np.pi * W["f"][k] * t + W["phi"][k]))
    assert set(W["group"]) <= {10, 11, 12, 13, 14}
    with pytest.raises(ValueError, match="no record holds"):
        pseudo_action_windows([np.zeros(100)], 3, window=400, run_in=0)


def test_window_mse_and_run_filter_windows():
    np.testing.assert_allclose(E.window_mse(np.zeros((2, 4)), np.array([[1, 1, 1, 1], [0, 0, 0, 2.0]])), [1.0, 1.0])

    class Echo:
        def run(self, s):
            return s * 2, s

    out = E.run_filter_windows(Echo, np.arange(10.0).reshape(2, 5), run_in=2)
    np.testing.assert_array_equal(out, [[4, 6, 8], [14, 16, 18]])


def test_compare_methods_against_scipy():
    rng = np.random.default_rng(1)
    errs = {"A": rng.normal(1.0, 0.1, 500), "B": rng.normal(1.05, 0.1, 500), "C": rng.normal(1.0, 0.1, 500)}
    res = E.compare_methods(errs)
    f, p = stats.f_oneway(*errs.values())
    assert res["anova_F"] == pytest.approx(f) and res["anova_p"] == pytest.approx(p)
    ab = next(r for r in res["pairs"] if (r["a"], r["b"]) == ("A", "B"))
    # Z by hand
    se = np.sqrt(errs["A"].var(ddof=1) / 500 + errs["B"].var(ddof=1) / 500)
    assert ab["z"] == pytest.approx((errs["A"].mean() - errs["B"].mean()) / se)
    assert ab["p"] < 1e-6 and ab["intervals_disjoint"]
    ac = next(r for r in res["pairs"] if (r["a"], r["b"]) == ("A", "C"))
    assert ac["p"] > 0.01
    m, lo, hi = E.mean_ci(errs["A"])
    assert hi - m == pytest.approx(1.959964 * errs["A"].std(ddof=1) / np.sqrt(500), rel=1e-5)


def test_spectra_test_finds_the_removed_peak():
    rng = np.random.default_rng(2)
    t = np.arange(400) / 100.0
    slow = 0.2 * np.sin(2 * np.pi * 1.0 * t)
    inputs = slow + 0.3 * np.sin(2 * np.pi * 5.0 * t + rng.uniform(0, 6, (50, 1))) + 0.01 * rng.standard_normal((50, 400))
    outputs = slow + 0.01 * rng.standard_normal((50, 400))
    S = E.spectra_test(inputs, outputs, 100.0)
    i5 = int(np.argmin(np.abs(S["freqs"] - 5.0)))
    i1 = int(np.argmin(np.abs(S["freqs"] - 1.0)))
    assert S["p"][i5] < 1e-10 and S["mean_in"][i5] > 10 * S["mean_out"][i5]
    assert S["p"][i1] > 1e-3


def test_sinusoid_lead_of_a_known_advance():
    """An output that is the input advanced by 2 samples leads it by 20 ms."""
    def advance(x):
        t = np.arange(x.size) / 100.0
        f = 1.0
        return 0.5 + 0.25 * np.sin(2 * np.pi * f * (t + 0.02))
    lead = E.sinusoid_lead_ms(advance, [1.0])
    assert lead[0] == pytest.approx(20.0, abs=1e-6)
    lag = E.sinusoid_lead_ms(lambda x: np.concatenate([[x[0]] * 3, x[:-3]]), [0.5, 2.0])
    np.testing.assert_allclose(lag, -30.0, atol=0.5)


def test_spectrogram_uses_the_paper_window():
    f, t, S = E.spectrogram(np.random.default_rng(0).standard_normal(400))
    assert f.size == 26 and t.size == (400 - 50) // 5 + 1


def test_pseudo_action_windows_skip_still_stretches():
    """A record that is constant over long stretches (a pen held still) never yields NaN."""
    rec = np.zeros(3000)
    rec[2500:] = np.sin(np.arange(500))
    W = pseudo_action_windows([rec], 50, window=400, run_in=0, seed=0)
    assert np.all(np.isfinite(W["input"]))
    with pytest.raises(ValueError, match="non-constant stretch"):
        pseudo_action_windows([np.r_[np.zeros(5000), 1.0]], 5, window=400, run_in=0, seed=0)


def test_group_means_and_t_interval():
    from scipy import stats as st

    v = np.array([1.0, 3.0, 10.0, 2.0, 4.0])
    g = np.array(["b", "b", "a", "c", "c"])
    labels, means = E.group_means(v, g)
    assert list(labels) == ["a", "b", "c"] and np.allclose(means, [10.0, 2.0, 3.0])
    labels, means2 = E.group_means(np.column_stack([v, 2 * v]), g)
    assert np.allclose(means2[:, 1], 2 * means)
    x = np.array([0.1, 0.4, -0.2, 0.3, 0.25])
    m, lo, hi = E.t_interval(x, 0.9)
    ref = st.t.interval(0.9, x.size - 1, loc=x.mean(), scale=st.sem(x))
    assert m == pytest.approx(x.mean()) and (lo, hi) == pytest.approx(ref)
    with pytest.raises(ValueError):
        E.group_means(v, g[:3])


def test_lowpass_estimate_keeps_slow_and_removes_tremor():
    t = np.arange(800) / 100.0
    slow, tremor = 0.5 + 0.2 * np.sin(2 * np.pi * 0.5 * t), 0.1 * np.sin(2 * np.pi * 6 * t)
    x = np.vstack([slow + tremor, slow + tremor])
    for causal in (True, False):
        y = E.lowpass_estimate(x, 2.0, 100.0, causal=causal)
        assert y.shape == x.shape
        assert np.mean((y[:, 200:-200] - slow[200:-200]) ** 2) < (0.02 if causal else 1e-4)
    # causal: the output at a sample does not depend on later samples
    x2 = x.copy(); x2[:, 500:] += 1.0
    assert np.allclose(E.lowpass_estimate(x2, 2.0, 100.0, causal=True)[:, :500],
                       E.lowpass_estimate(x, 2.0, 100.0, causal=True)[:, :500])
