"""Tests of the dysgraphia random-forest protocol (tremorlab.learn.forest)."""

from __future__ import annotations

import numpy as np
import pytest

from tremorlab.features import handwriting as hw
from tremorlab.learn import forest


def test_rates_by_hand():
    r = forest.rates([1, 1, 1, 0, 0, 0, 0], [1, 1, 0, 1, 0, 0, 0])
    # TP 2, FN 1, FP 1, TN 3: F1 = 4 / (4 + 1 + 1)
    assert (r["tp"], r["fn"], r["fp"], r["tn"]) == (2, 1, 1, 3)
    assert r["f1"] == pytest.approx(4 / 6) and r["tpr"] == pytest.approx(2 / 3) and r["fpr"] == pytest.approx(0.25)
    assert forest.rates([0, 0], [0, 0])["f1"] == 0.0 and np.isnan(forest.rates([0, 0], [0, 0])["tpr"])


INFORMATIVE = ("speed_freq_median", "speed_freq_bandwidth", "tilt_x_std", "in_air_time_ratio")


def _summaries(y, informative: tuple | str | None, seed=0):
    rng = np.random.default_rng(seed)
    informative = (informative,) if isinstance(informative, str) else (informative or ())
    out = []
    for k, lab in enumerate(y):
        vals = {n: float(rng.normal()) for n in hw.FEATURE_NAMES}
        for name in informative:
            vals[name] = float(lab * 3.0 + rng.normal(0, 0.3))
        spec = {s: None for s in hw.SPECTRA}
        out.append(hw.Summary(source=f"s{k}", values=vals, spectra=spec, freqs=dict(spec)))
    return out


def test_separable_feature_is_found_and_chance_is_not_skill():
    y = np.r_[np.zeros(60, int), np.ones(20, int)]
    res = forest.evaluate(_summaries(y, INFORMATIVE), y, n_splits=5, n_estimators=50)
    s = res.summary()
    assert s["f1_mean"] > 0.95 and s["fpr_mean"] < 0.02 and s["n_splits"] == 5
    top = forest.top_features(res, k=4)
    assert {name for name, _, _ in top} == set(INFORMATIVE)
    assert dict((n, g) for n, g, _ in top)["tilt_x_std"] == "tilt"
    # one column only: the simplified model
    one = forest.evaluate(_summaries(y, "speed_freq_median"), y, n_splits=3, n_estimators=20,
                          features=["speed_freq_median"])
    assert one.importances.shape == (3, 1) and one.summary()["f1_mean"] == pytest.approx(1.0)
    noise = forest.evaluate(_summaries(y, None, seed=1), y, n_splits=5, n_estimators=50)
    assert noise.summary()["f1_mean"] < 0.6


def test_test_part_never_reaches_the_extractor_fit():
    seen = []

    class Spy(hw.HandwritingFeatures):
        def fit(self, X, y=None):
            seen.append({s.source for s in X})
            return super().fit(X, y)

    y = np.r_[np.zeros(20, int), np.ones(10, int)]
    S = _summaries(y, "speed_mean")
    forest.evaluate(S, y, n_splits=4, n_estimators=10, extractor=Spy())
    assert len(seen) == 4
    for fitted in seen:
        assert len(fitted) == 21                      # 70 % of 30 recordings
    # the splits are stratified: 30 % of each class in every test part
    from sklearn.model_selection import StratifiedShuffleSplit

    for (tr, te), fitted in zip(StratifiedShuffleSplit(4, test_size=0.3, random_state=0).split(np.zeros(30), y), seen):
        assert fitted == {f"s{i}" for i in tr} and not fitted & {f"s{i}" for i in te}
        assert y[te].sum() == 3


def test_length_robustness_on_a_small_phantom_cohort():
    from tremorlab.synth.handwriting import dysgraphia_cohort

    recs = dysgraphia_cohort(n_td=8, n_d=6, duration_s=20.0, seed=3)
    y = np.array([r.meta["label"] for r in recs])
    out = forest.length_robustness(recs, y, [4.0, 20.0], n_splits=3, n_estimators=20)
    assert sorted(out) == [4.0, 20.0]
    for res in out.values():
        assert res.f1.shape == (3,) and np.isfinite(res.f1).all()
    with pytest.raises(ValueError, match="both classes"):
        forest.evaluate(recs[:3], np.zeros(3), n_splits=2)


def test_feature_correlation():
    F = np.full((5, 53), np.nan)
    a, b = hw.FEATURE_NAMES.index("speed_freq_median"), hw.FEATURE_NAMES.index("speed_freq_bandwidth")
    F[:, a] = [1, 2, 3, 4, 5]
    F[:, b] = [2, 4, 6, 8, 11]
    F[4, b] = np.nan
    r, p, n = forest.feature_correlation(F, hw.FEATURE_NAMES, "speed_freq_median", "speed_freq_bandwidth")
    assert n == 4 and r == pytest.approx(1.0)


def test_cross_predict_tests_every_writer_once_per_repeat_and_never_fits_on_it():
    seen = []

    class Spy(hw.HandwritingFeatures):
        def fit(self, X, y=None):
            seen.append({s.source for s in X})
            return super().fit(X, y)

    y = np.r_[np.zeros(30, int), np.ones(10, int)]
    S = _summaries(y, INFORMATIVE)
    pred = forest.cross_predict(S, y, n_folds=5, repeats=2, n_estimators=20, extractor=Spy())
    assert pred.shape == (2, 40) and set(np.unique(pred)) <= {0, 1}
    assert (pred == y).mean() > 0.95                          # separable: found
    assert len(seen) == 10                                     # 2 repeats x 5 folds
    fits = [set(range(40)) - {int(s[1:]) for s in f} for f in seen]
    for r in range(2):                                         # the held-out parts of one repeat cover everyone once
        held = [h for h in fits[5 * r: 5 * r + 5]]
        assert sorted(i for h in held for i in h) == list(range(40))
    noise = forest.cross_predict(_summaries(y, None, seed=1), y, n_folds=5, repeats=2, n_estimators=20)
    assert forest.rates(np.tile(y, 2), noise.ravel())["f1"] < 0.6


def test_forest_pipeline_is_the_extractor_fitted_on_training_then_the_forest():
    """The pipeline gives what the explicit steps give: mean spectra from the training recordings, the chosen
    columns, a forest seeded as asked (same predictions and importances, bit for bit)."""
    from sklearn.ensemble import RandomForestClassifier

    y = np.array([0, 1] * 15)
    S = _summaries(y, "mean_speed", seed=4)
    cols = [hw.FEATURE_NAMES.index(n) for n in hw.FEATURE_NAMES[:9]]
    model = forest.forest_pipeline(hw.HandwritingFeatures(), cols, 25, 7).fit(S[:20], y[:20])
    ext = hw.HandwritingFeatures().fit(S[:20])
    rf = RandomForestClassifier(n_estimators=25, random_state=7, n_jobs=1).fit(ext.transform(S[:20])[:, cols], y[:20])
    np.testing.assert_array_equal(model.predict_proba(S[20:]), rf.predict_proba(ext.transform(S[20:])[:, cols]))
    np.testing.assert_array_equal(model[-1].feature_importances_, rf.feature_importances_)
