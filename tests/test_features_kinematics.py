"""Tests of tremorlab.features.kinematics: closed-form cases and the BDALab peer."""

from __future__ import annotations

import numpy as np
import pytest

from tremorlab.features import kinematics as kin
from tremorlab.io import PenRecording, RecordingError


def _circle(n=400, rate=200.0, radius=50.0, freq=0.5, pen_down=None):
    t = np.arange(n) / rate
    w = 2 * np.pi * freq
    return PenRecording(t=t, x=radius * np.cos(w * t), y=radius * np.sin(w * t), pen_down=pen_down,
                        xy_unit="mm"), w, 1 / rate, radius


def test_stretches_and_ids_by_hand():
    m = np.array([0, 1, 1, 0, 1, 1, 1, 0, 0, 1], bool)
    assert kin.stretches(m).tolist() == [[1, 3], [4, 7], [9, 10]]
    assert kin.stretch_ids(m).tolist() == [0, 0, 1, 1, 1, 2]
    assert kin.stretches(np.zeros(4, bool)).shape == (0, 2)
    # a time gap inside pen-down splits the stretch
    t = np.array([0, 1, 2, 3, 4, 5, 50, 51, 52, 53]) * 0.005
    assert kin.stretch_ids(np.ones(10, bool), t, max_gap_s=0.05).tolist() == [0] * 6 + [1] * 4


def test_circle_derivatives_closed_form():
    """Uniform circular motion: chord velocity, and each further difference rotates by w*dt."""
    rec, w, dt, r = _circle()
    d = kin.derivatives(rec)
    vc = 2 * r * np.sin(w * dt / 2) / dt          # chord speed
    ac = 2 * vc * np.sin(w * dt / 2) / dt
    jc = 2 * ac * np.sin(w * dt / 2) / dt
    assert d["v"].shape == (399,) and d["a"].shape == (398,) and d["j"].shape == (397,)
    np.testing.assert_allclose(d["v"], vc, rtol=1e-9)
    np.testing.assert_allclose(d["a"], ac, rtol=1e-7)
    np.testing.assert_allclose(d["j"], jc, rtol=1e-5)
    np.testing.assert_allclose(d["vx"], -vc * np.sin(w * d["t_v"]), atol=1e-8)
    np.testing.assert_allclose(d["vy"], vc * np.cos(w * d["t_v"]), atol=1e-8)
    np.testing.assert_allclose(d["ax"], -ac * np.cos(w * d["t_a"]), atol=1e-6)
    np.testing.assert_allclose(d["jy"], -jc * np.cos(w * d["t_j"]), atol=1e-3)
    # and the continuous limits: v = r w, a = r w^2, j = r w^3 to O(dt^2)
    assert abs(d["v"].mean() / (r * w) - 1) < 1e-4
    assert abs(d["a"].mean() / (r * w ** 2) - 1) < 1e-4
    assert abs(d["j"].mean() / (r * w ** 3) - 1) < 1e-4


def test_no_difference_across_pen_lift():
    pen = np.ones(400, bool)
    pen[100:120] = False                              # a lift: stretches of 100 and 280 samples
    rec, w, dt, r = _circle(pen_down=pen)
    rec.x[120:] += 1000.0                              # a jump during the lift would explode the speed
    d = kin.derivatives(rec)
    assert d["v"].shape == (99 + 279,)
    assert d["a"].shape == (98 + 278,) and d["j"].shape == (97 + 277,)
    vc = 2 * r * np.sin(w * dt / 2) / dt
    np.testing.assert_allclose(d["v"], vc, rtol=1e-9)
    assert set(d["stretch_v"].tolist()) == {0, 1}


def test_moving_average_matches_convolution_per_stretch():
    rng = np.random.default_rng(3)
    v = rng.normal(size=50) + 1e6                     # large offset: round-off must stay small
    ids = np.repeat([0, 1, 2], [20, 4, 26])
    avg, wid = kin.moving_average(v, 5, ids)
    want = np.concatenate([np.convolve(v[:20], np.ones(5) / 5, "valid"), np.convolve(v[24:], np.ones(5) / 5, "valid")])
    np.testing.assert_allclose(avg, want, rtol=0, atol=1e-8)
    assert wid.tolist() == [0] * 16 + [2] * 22
    with pytest.raises(ValueError, match="n must be >= 1"):
        kin.moving_average(v, 0, ids)


def test_smoothing_a_line_keeps_its_speed():
    t = np.arange(300) / 200.0
    rec = PenRecording(t=t, x=30 * t, y=-40 * t, xy_unit="mm")
    d = kin.derivatives(rec, smooth_n=10)
    assert d["v"].shape == (300 - 10,)
    np.testing.assert_allclose(d["v"], 50.0, rtol=1e-9)
    np.testing.assert_allclose(d["a"], 0.0, atol=1e-6)


def test_block_average_by_hand():
    v = np.arange(12, dtype=float)
    ids = np.array([0] * 7 + [1] * 5)
    means, bid = kin.block_average(v, 3, ids)
    # stretch 0: [0 1 2] [3 4 5] (6 dropped); stretch 1: [7 8 9] (10 11 dropped)
    assert means.tolist() == [1.0, 4.0, 8.0] and bid.tolist() == [0, 0, 1]
    m2, _ = kin.block_average(np.stack([v, -v], 1), 3, ids)
    assert m2.shape == (3, 2) and m2[:, 1].tolist() == [-1.0, -4.0, -8.0]


def test_block_labels_by_hand():
    ids = np.array([0] * 7 + [1] * 5)
    lab, bid = kin.block_labels(ids, 3)
    assert lab.tolist() == [0, 0, 0, 1, 1, 1, -1, 2, 2, 2, -1, -1] and bid.tolist() == [0, 0, 1]
    lab, bid = kin.block_labels(np.zeros(0, int), 3)
    assert lab.size == 0 and bid.size == 0
    with pytest.raises(ValueError, match="block length"):
        kin.block_labels(ids, 0)


def test_rate_of_change_by_hand():
    t = np.array([0.0, 0.1, 0.3, 0.4, 0.6])
    v = np.array([0.0, 1.0, 2.0, 10.0, 12.0])
    ids = np.array([0, 0, 0, 1, 1])
    tm, r, i = kin.rate_of_change(t, v, ids)
    np.testing.assert_allclose(tm, [0.05, 0.2, 0.5])
    np.testing.assert_allclose(r, [10.0, 5.0, 10.0])
    assert i.tolist() == [0, 0, 1]


def test_peaks_per_second_sine_and_trend():
    t = np.arange(2000) / 100.0                       # 20 s
    x = np.sin(2 * np.pi * 1.5 * t + 0.3)             # 1.5 Hz: 3 extrema per second
    assert kin.peaks_per_second(x, 20.0, sigma=2.0) == pytest.approx(3.0, abs=0.1)
    assert kin.count_extrema(np.array([0, 1, 1, 0, 2])) == 2
    assert np.isnan(kin.peaks_per_second(x, 0.0))
    assert kin.linear_trend(t, 3.0 - 0.25 * t) == pytest.approx(-0.25, abs=1e-12)
    assert np.isnan(kin.linear_trend(t[:1], x[:1]))


def test_no_pen_down_is_a_clear_error():
    t = np.arange(10) / 100.0
    rec = PenRecording(t=t, x=t, y=t, pen_down=np.zeros(10, bool), source="nopen.svc")
    with pytest.raises(RecordingError, match="nopen.svc.*pen_down"):
        kin.derivatives(rec)


def test_pen_down_fallbacks():
    t = np.arange(4) / 100.0
    rec = PenRecording(t=t, x=t, y=t, pressure=[0, 3, 4, 0])
    assert kin.pen_down_mask(rec).tolist() == [False, True, True, False]
    assert kin.pen_down_mask(PenRecording(t=t, x=t, y=t)).all()


def test_speed_agrees_with_bdalab_on_pahaw(tmp_path):
    """On a real .svc file our unsmoothed speed equals BDALab handwriting-features' velocity."""
    import tremorlab as tl

    hf = pytest.importorskip("handwriting_features.features")
    try:
        path = tl.data.files("pahaw_bdalab_svc_sample", "*00026*.10_1.svc")[0]
    except Exception as exc:  # dataset missing on this machine
        pytest.skip(str(exc))
    rec = tl.io.read_svc(path)
    ours = kin.derivatives(rec)["v"]
    theirs = hf.HandwritingFeatures.from_svc(str(path)).velocity(axis="xy", in_air=False)
    theirs = np.asarray(theirs, dtype=float) * 1000.0   # BDALab: units per ms (time stamps in ms)
    # BDALab's stroke splitter leaves out the very last sample of the recording (its last stroke is
    # one sample shorter); every other velocity must agree.
    assert ours.shape[0] == theirs.shape[0] + 1
    np.testing.assert_allclose(ours[:-1], theirs, rtol=1e-9)
