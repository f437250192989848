"""Tests of the sigma-lognormal handwriting phantom (tremorlab.synth.handwriting)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import erf

from tremorlab.synth import handwriting as sh


def test_lognormal_stroke_closed_form_matches_numerical_integration():
    t = np.arange(0, 2.0, 1e-4)
    dx, dy, speed = sh.lognormal_stroke(t, t0=0.1, D=10.0, mu=np.log(0.2), sigma=0.3, theta_s=1.2, theta_e=0.2)
    # speed is the lognormal density times D: it integrates to D
    assert np.trapezoid(speed, t) == pytest.approx(10.0, rel=1e-4)
    # the closed-form displacement is the integral of speed * (cos phi, sin phi)
    cdf = np.where(t > 0.1, 0.5 * (1 + erf((np.log(np.maximum(t - 0.1, 1e-12)) - np.log(0.2)) / (0.3 * np.sqrt(2)))), 0)
    phi = 1.2 + (0.2 - 1.2) * cdf
    ix = np.concatenate([[0], np.cumsum(0.5 * (speed[1:] * np.cos(phi[1:]) + speed[:-1] * np.cos(phi[:-1])) * 1e-4)])
    iy = np.concatenate([[0], np.cumsum(0.5 * (speed[1:] * np.sin(phi[1:]) + speed[:-1] * np.sin(phi[:-1])) * 1e-4)])
    np.testing.assert_allclose(dx, ix, atol=2e-4)
    np.testing.assert_allclose(dy, iy, atol=2e-4)
    # peak of the lognormal at t0 + exp(mu - sigma^2)
    assert t[np.argmax(speed)] == pytest.approx(0.1 + np.exp(np.log(0.2) - 0.09), abs=2e-4)
    # straight stroke limit
    sx, sy, _ = sh.lognormal_stroke(t, 0.0, 5.0, np.log(0.2), 0.3, 0.5, 0.5)
    assert sx[-1] == pytest.approx(5 * np.cos(0.5), rel=1e-6) and sy[-1] == pytest.approx(5 * np.sin(0.5), rel=1e-6)


def test_sum_of_strokes_equals_direct_sum():
    rate = 200.0
    t = np.arange(400) / rate
    S = np.array([[0.1, 8.0, np.log(0.2), 0.3, 1.2, 0.3], [0.3, 5.0, np.log(0.15), 0.25, -1.4, -2.0],
                  [0.9, 12.0, np.log(0.3), 0.2, 0.0, 0.2]])
    x, y, speed = sh._sum_strokes(t, S, rate)
    want = [sh.lognormal_stroke(t, *row) for row in S]
    np.testing.assert_allclose(x, sum(w[0] for w in want), atol=1e-5)
    np.testing.assert_allclose(y, sum(w[1] for w in want), atol=1e-5)


def test_tilt_round_trip():
    from tremorlab.features.handwriting import tilt_xy

    tx = np.array([-40.0, 0.0, 10.0, 35.0])
    ty = np.array([20.0, 0.0, 45.0, -30.0])
    az, alt = sh.tilt_to_azimuth_altitude(tx, ty)
    bx, by = tilt_xy(az, alt)
    np.testing.assert_allclose(bx, tx, atol=1e-9)
    np.testing.assert_allclose(by, ty, atol=1e-9)


def test_phantom_recording_and_ground_truth():
    prof = sh.writer_profile("w", "TD", 3, np.random.default_rng(0))
    rec = sh.write_text(prof, duration_s=30.0, rate_hz=200.0, seed=1)
    assert rec.n_samples == 6000 and rec.xy_unit == "mm"
    assert 0.5 < rec.pen_down.mean() < 0.95
    assert (rec.pressure[~rec.pen_down] == 0).all() and (rec.pressure[rec.pen_down] > 0).all()
    assert rec.meta["label"] == 0 and rec.meta["n_words"] >= 5
    # same seed, same recording
    rec2 = sh.write_text(prof, duration_s=30.0, rate_hz=200.0, seed=1)
    np.testing.assert_array_equal(rec.x, rec2.x)


def test_groups_differ_as_designed():
    """D writers: more in-air time and narrower intended word spaces than TD writers, on average."""
    recs = sh.dysgraphia_cohort(n_td=8, n_d=8, duration_s=30.0, seed=2)
    lab = np.array([r.meta["label"] for r in recs])
    air = np.array([1 - r.pen_down.mean() for r in recs])
    space = np.array([r.meta["word_spaces_mm"].mean() for r in recs])
    sev = np.array([r.meta["severity"] for r in recs])
    assert air[lab == 1].mean() > air[lab == 0].mean() + 0.05
    assert space[lab == 1].mean() < space[lab == 0].mean()
    assert sev[lab == 1].min() > sev[lab == 0].mean()
    # a smaller cohort holds the first writers of a larger one
    small = sh.dysgraphia_cohort(n_td=2, n_d=1, duration_s=30.0, seed=2)
    np.testing.assert_array_equal(small[0].x, recs[0].x)
    np.testing.assert_array_equal(small[2].x, recs[8].x)
    with pytest.raises(ValueError, match="group"):
        sh.writer_profile("w", "X", 3, np.random.default_rng(0))


def test_effects_restrict_the_group_differences_to_the_named_parameters():
    """Known answer for chapter 4: with only the stroke rhythm moving with severity, the pauses stay
    typical for every writer while the stroke rate rises, and the speed-frequency median follows it."""
    from scipy.stats import spearmanr

    from tremorlab.features import handwriting as hw

    rhythm = ("stroke_ioi_s", "ioi_cv", "submovement_prob")
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    full = sh.writer_profile("w", "D", 3, rng_a)
    only = sh.writer_profile("w", "D", 3, rng_b, effects=rhythm)
    assert only.severity == full.severity and only.params["stroke_ioi_s"] == full.params["stroke_ioi_s"]
    assert only.params["pause_word_s"] < full.params["pause_word_s"]         # pauses stay typical
    with pytest.raises(ValueError, match="unknown"):
        sh.writer_profile("w", "D", 3, np.random.default_rng(0), effects=("tempo",))
    recs = sh.dysgraphia_cohort(n_td=10, n_d=10, duration_s=30.0, seed=4, effects=rhythm)
    rate = []
    for k in range(20):
        g, i = ("TD", k) if k < 10 else ("D", k - 10)
        rng = np.random.default_rng([4, 0 if g == "TD" else 1, i])
        rate.append(1 / sh.writer_profile("w", g, int(rng.integers(1, 6)), rng, effects=rhythm).params["stroke_ioi_s"])
    med = [hw.summarize(r).values["speed_freq_median"] for r in recs]
    assert spearmanr(med, rate)[0] > 0.3          # 0.37-0.57 over seeds 4-6; no relation would give ~0


def test_no_parameter_moves_with_severity_outside_the_named_effects():
    """Known answer: with ``effects=()`` a D writer's parameters are those of a severity-0 writer with
    the same draws; size, stroke width and pressure moved with severity whatever ``effects`` said
    before, so a "rhythm-only" cohort differed in letter size and stroke shape too."""
    full = sh.writer_profile("w", "D", 3, np.random.default_rng(11))
    none = sh.writer_profile("w", "D", 3, np.random.default_rng(11), effects=())
    s = full.severity
    assert none.severity == s > 0.2
    for k in sh.TD_VALUES:                                   # TD value x the same individual factor
        assert none.params[k] == pytest.approx(full.params[k] * sh.TD_VALUES[k] / (sh.TD_VALUES[k] + s * (sh.D_VALUES[k] - sh.TD_VALUES[k])))
    assert none.params["size_cv"] == pytest.approx(0.08) and full.params["size_cv"] == pytest.approx(0.08 + 0.15 * s)
    assert full.params["x_height_mm"] == pytest.approx(none.params["x_height_mm"] * (1 + 0.1 * s))
    assert full.params["pressure_mean"] == pytest.approx(none.params["pressure_mean"] + 80 * s)
    assert full.params["sigma"] == pytest.approx(none.params["sigma"] - 0.06 * s)
    only_size = sh.writer_profile("w", "D", 3, np.random.default_rng(11), effects=("x_height_mm",))
    assert only_size.params["x_height_mm"] == full.params["x_height_mm"]
    assert only_size.params["sigma"] == none.params["sigma"]
