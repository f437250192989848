"""Tests of tremorlab.vision.trace against phantom sheets whose geometry and tremor are known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from tremorlab.synth import spirals as sp
from tremorlab.vision import trace as tv


def _sheet(severity, seed, setting="scan", size=224):
    rng = np.random.default_rng(seed)
    tr = sp.draw_trace(sp.sample_params(severity, rng), rng=rng)
    img, geo = sp.render_sheet(tr, setting=setting, size=size, rng=rng, return_geometry=True)
    return img, geo, tr


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_spiral_fit_finds_the_printed_centre_and_pitch(seed):
    img, geo, _ = _sheet(1.0, seed)
    ink, line = tv.separate(img)
    fit = tv.fit_spiral(line)
    assert abs(fit["cx"] - geo["centre_px"][0]) < 1.5 and abs(fit["cy"] - geo["centre_px"][1]) < 1.5
    assert fit["pitch_px"] == pytest.approx(sp.SpiralTemplate().pitch_mm * geo["px_per_mm"], rel=0.03)
    assert fit["sense"] == 1 and fit["R"] > 0.5


def test_ink_and_line_are_separated():
    img, geo, tr = _sheet(0.0, 4)
    ink, line = tv.separate(img)
    # ink pixels lie near the simulated pen path, line pixels near the printed spiral
    rot = np.deg2rad(geo["rotation_deg"])
    R = np.array([[np.cos(rot), np.sin(rot)], [-np.sin(rot), np.cos(rot)]])
    def to_px(p):
        q = p @ R
        return np.column_stack([geo["centre_px"][0] + q[:, 0] * geo["px_per_mm"], geo["centre_px"][1] - q[:, 1] * geo["px_per_mm"]])
    path = to_px(tr.xy[tr.pen_down])
    guide = to_px(sp.SpiralTemplate().guide())
    for mask, ref in ((ink, path), (line, guide)):
        ys, xs = np.nonzero(mask)
        assert xs.size > 200
        d = np.min(np.hypot(xs[:, None] - ref[None, ::3, 0], ys[:, None] - ref[None, ::3, 1]), axis=1)
        assert np.median(d) < 1.5


def test_features_follow_the_true_tremor():
    rows = []
    for k, z in enumerate(np.linspace(0, 4.3, 14)):
        img, _, tr = _sheet(z, 100 + k)
        f = tv.trace_features(img)
        rows.append((tr.truth["rms_deviation_mm"], tr.truth["crossings"], f["dev_sd"], f["beyond"], f["tremor_power"]))
    d = np.array(rows)
    assert spearmanr(d[:, 0], d[:, 2]).statistic > 0.8     # measured spread follows the true deviation
    assert spearmanr(d[:, 1], d[:, 3]).statistic > 0.7     # ink beyond the line follows the true crossings
    assert spearmanr(d[:, 0], d[:, 4]).statistic > 0.7


def test_grader_is_a_classifier():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, len(tv.FEATURES)))
    y = (X[:, 0] > 0).astype(int) * 2          # grades 0 and 2 only
    g = tv.TraceGrader().fit(X, y)
    p = g.predict_proba(X)
    assert p.shape == (60, 5) and np.allclose(p.sum(1), 1) and np.all(p[:, [1, 3, 4]] == 0)
    assert np.mean(g.predict(X) == y) > 0.9
    with pytest.raises(ValueError, match="printed-line pixels"):
        tv.fit_spiral(np.zeros((50, 50), bool))


def test_grader_is_a_scikit_learn_estimator():
    """clone / get_params / set_params, NotFittedError before fit, score, and a grid search over C use it as any
    scikit-learn classifier; its probabilities are those of the plain StandardScaler -> LogisticRegression."""
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, len(tv.FEATURES)))
    y = np.digitize(X[:, 0] + 0.3 * rng.normal(size=80), [-1.0, 0.0, 1.0])     # grades 0-3
    g = tv.TraceGrader(C=0.5, seed=3)
    assert clone(g).get_params() == {"C": 0.5, "seed": 3}
    with pytest.raises(NotFittedError):
        g.predict(X)
    g.fit(X, y)
    ref = make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=5000, random_state=3)).fit(X, y)
    np.testing.assert_array_equal(g.predict_proba(X)[:, :4], ref.predict_proba(X))
    assert g.score(X, y) == np.mean(g.predict(X) == y) > 0.7
    search = GridSearchCV(tv.TraceGrader(), {"C": [0.1, 1.0]}, cv=3).fit(X, y)
    assert search.best_params_["C"] in (0.1, 1.0)
    with pytest.raises(ValueError, match="grades must be in"):
        tv.TraceGrader().fit(X, y + 3)
