"""Tests of the 53 dysgraphia features (tremorlab.features.handwriting)."""

from __future__ import annotations

import numpy as np
import pytest

from tremorlab.features import handwriting as hw
from tremorlab.features.kinematics import stretch_ids
from tremorlab.io import PenRecording, RecordingError
from tremorlab.synth import handwriting as sh


@pytest.fixture(scope="module")
def phantom():
    prof = sh.writer_profile("w", "TD", 3, np.random.default_rng(0))
    return sh.write_text(prof, duration_s=60.0, rate_hz=200.0, seed=4)


def test_names_count_and_groups():
    assert len(hw.FEATURE_NAMES) == 53 and len(set(hw.FEATURE_NAMES)) == 53
    assert {g: len(v) for g, v in hw.FEATURE_GROUPS.items()} == {"static": 8, "kinematic": 12, "pressure": 11,
                                                                 "tilt": 22}
    for name in ("space_between_words_mean", "tremor_freq_bandwidth", "speed_freq_median", "in_air_time_ratio",
                 "pressure_change_mean", "tilt_x_change_freq_bandwidth", "tilt_y_change_freq_median",
                 "speed_peaks_per_s", "tilt_y_change_trend"):
        assert name in hw.FEATURE_NAMES
    assert set(hw.BHK_ITEMS) <= set(hw.FEATURE_NAMES)


def test_every_feature_finite_on_a_normal_recording(phantom):
    ext = hw.HandwritingFeatures().fit([phantom])
    F, why = ext.transform_with_reasons([phantom])
    assert F.shape == (1, 53)
    bad = [n for n, v in zip(hw.FEATURE_NAMES, F[0]) if not np.isfinite(v)]
    assert bad == [], (bad, why)
    assert why == [{}]
    # fitted on the same recording, every distance to the mean spectrum is 0
    for k in hw.SPECTRA:
        assert F[0, hw.FEATURE_NAMES.index(f"{k}_freq_distance_to_mean")] == pytest.approx(0.0, abs=1e-12)


def test_tilt_xy_worked_by_hand():
    tx, ty = hw.tilt_xy([0.0, 90.0, 0.0, 45.0, 180.0], [90.0, 45.0, 60.0, 45.0, 60.0])
    # vertical pen; az 90 alt 45 -> leaning 45 deg along +x; az 0 alt 60 -> atan(cot 60) = 30 along +y;
    # az 45 alt 45 -> atan(sin 45 / tan 45) = atan(0.7071) = 35.26 deg on both; az 180 -> -30 along y
    np.testing.assert_allclose(tx, [0.0, 45.0, 0.0, 35.26438968, 0.0], atol=1e-6)
    np.testing.assert_allclose(ty, [0.0, 0.0, 30.0, 35.26438968, -30.0], atol=1e-6)


def test_cross_product_signal_by_hand():
    # straight line: no deviation
    x = np.arange(30.0)
    assert np.allclose(hw.cross_product_signal(x, 2 * x, np.zeros(30, int)), 0)
    # zigzag with window 3: global vector (1, 0), local (1, +-1): |l x g| = 1 everywhere
    xz = np.arange(8.0)
    yz = np.array([0, 1, 0, 1, 0, 1, 0, 1.0])
    c = hw.cross_product_signal(xz, yz, np.zeros(8, int), window=3)
    np.testing.assert_allclose(c, np.ones(6))
    # windows never straddle two stretches
    ids = np.repeat([0, 1], 4)
    assert hw.cross_product_signal(xz, yz, ids, window=3).size == 4


def test_binned_spectrum_of_a_sinusoid():
    rate, f0 = 200.0, 7.0
    s = np.sin(2 * np.pi * f0 * np.arange(3000) / rate) + 3.0
    f, p, why = hw.binned_spectrum(s, 600, rate)
    assert why is None and p.sum() == pytest.approx(1.0)
    assert f[np.argmax(p)] == pytest.approx(f0, abs=1e-9)        # 7 Hz is on the 1/3 Hz grid
    from tremorlab import dsp

    assert dsp.median_frequency(f, p) == pytest.approx(f0, abs=0.4)
    assert dsp.spectral_bandwidth(f, p, 0.9) < 1.0
    assert hw.binned_spectrum(s[:599], 600, rate)[2].startswith("fewer values (599)")
    assert "constant" in hw.binned_spectrum(np.full(1200, 5.0), 600, rate)[2]


def _words(gaps, rate=200.0, length=10.0, n=200):
    """Three horizontal 'words' (wavy strokes) separated by the given gaps, pen up in between."""
    xs, ys, pd = [], [], []
    x0 = 0.0
    for k in range(len(gaps) + 1):
        u = np.linspace(0, 1, n)
        xs.append(x0 + length * u)
        ys.append(np.sin(2 * np.pi * 3 * u))                   # height 2
        pd.append(np.ones(n, bool))
        if k < len(gaps):
            xs.append(np.linspace(x0 + length, x0 + length + gaps[k], 40))
            ys.append(np.zeros(40))
            pd.append(np.zeros(40, bool))
            x0 += length + gaps[k]
    x, y, pd = np.concatenate(xs), np.concatenate(ys), np.concatenate(pd)
    return PenRecording(t=np.arange(x.size) / rate, x=x, y=y, pen_down=pd, xy_unit="mm", pressure=pd * 500.0)


def test_space_between_words_by_hand():
    rec = _words([4.0, 3.0])
    ids = stretch_ids(rec.pen_down)
    seg = hw.segment_words(rec.x[rec.pen_down], rec.y[rec.pen_down], ids)
    assert seg["n_words"] == 3 and seg["n_lines"] == 1
    np.testing.assert_allclose(seg["spaces"], [4.0, 3.0])
    s = hw.summarize(rec)
    assert s.values["space_between_words_mean"] == pytest.approx(3.5)
    assert s.values["space_between_words_std"] == pytest.approx(0.5)
    d = hw.summarize(rec, content="drawing")
    assert np.isnan(d.values["space_between_words_mean"]) and "drawing" in d.reasons["space_between_words_mean"]


def test_static_geometry_by_hand():
    # density: 4 points in one 1x1 cell, 2 in another -> mean 3
    x = np.array([0.1, 0.2, 0.3, 0.4, 1.5, 1.6])
    y = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    assert hw.handwriting_density(x, y, 1.0) == pytest.approx(3.0)
    # moment and size: one line, two bins of 3 points
    x = np.array([0, 1, 2, 3, 4, 5.0])
    y = np.array([0, 1, 0.5, 2, 3, 2.5])
    line = np.zeros(6, int)
    m, why = hw.moment_of_handwriting(x, y, line, n=3)
    assert why is None and m == pytest.approx(2.5 - 0.5)            # barycentres at y = 0.5 and 2.5
    a, _ = hw.handwriting_size(x, y, line, n=3)
    assert a == pytest.approx(0.5 * (2 * 1 + 2 * 1))                 # boxes 2 x 1 and 2 x 1
    assert np.isnan(hw.moment_of_handwriting(x, y, line, n=4)[0])
    assert hw.in_air_time_ratio(np.array([0, 1, 1, 0, 0, 1, 0], bool)) == pytest.approx(0.4)


def test_speed_of_a_straight_line():
    t = np.arange(2000) / 200.0
    rec = PenRecording(t=t, x=30 * t, y=40 * t, pressure=np.full(2000, 300.0), xy_unit="mm")
    s = hw.summarize(rec)
    assert s.values["speed_mean"] == pytest.approx(50.0) and s.values["speed_std"] == pytest.approx(0.0, abs=1e-9)
    assert s.values["acceleration_max"] == pytest.approx(0.0, abs=1e-6)
    assert s.values["in_air_time_ratio"] == 0.0
    # constant pressure: a documented NaN for its spectrum, zeros for its rate of change
    assert s.values["pressure_change_mean"] == 0.0
    assert np.isnan(s.values["pressure_change_freq_median"])
    assert "constant" in s.reasons["pressure_change_freq_median"]
    # no tilt channel: NaN with the reason
    assert np.isnan(s.values["tilt_x_mean"]) and "azimuth" in s.reasons["tilt_x_mean"]


def test_bad_input():
    t = np.arange(100) / 200.0
    with pytest.raises(RecordingError, match="no pen-down"):
        hw.summarize(PenRecording(t=t, x=t, y=t, pen_down=np.zeros(100, bool), source="up.svc"))
    with pytest.raises(RecordingError, match="strictly increasing"):
        PenRecording(t=np.r_[t[:50], t[49:99]], x=t, y=t)
    with pytest.raises(RecordingError, match="goes backwards"):
        PenRecording(t=np.r_[t[:50], t[40:90]], x=t, y=t)
    # missing pressure channel
    s = hw.summarize(PenRecording(t=t, x=np.cos(t), y=np.sin(t), xy_unit="mm"))
    assert all(np.isnan(s.values[n]) and s.reasons[n] == "no pressure channel" for n in hw.FEATURE_GROUPS["pressure"])
    # too few points for one 600-point bin
    assert "fewer values" in s.reasons["tremor_freq_bandwidth"]
    with pytest.raises(ValueError, match="content"):
        hw.summarize(_words([3.0]), content="poem")


def test_gaps_in_time_become_pen_up():
    """Resampling a 100 Hz recording with a 1 s dropout: the bridged samples are pen-up."""
    t = np.r_[np.arange(100) / 100.0, 2.0 + np.arange(100) / 100.0]
    rec = PenRecording(t=t, x=10 * t, y=0 * t, pen_down=np.ones(200, bool), pressure=np.full(200, 100.0), xy_unit="mm")
    s = hw.summarize(rec)
    assert s.values["in_air_time_ratio"] == pytest.approx(1.01 / 2.99, abs=0.01)
    assert s.values["speed_max"] == pytest.approx(10.0, rel=1e-6)   # never across the gap


def test_distance_learnt_on_training_data_only(phantom):
    prof = sh.writer_profile("d", "D", 3, np.random.default_rng(1))
    other = sh.write_text(prof, duration_s=60.0, seed=5)
    ext = hw.HandwritingFeatures()
    sums = ext.summarize([phantom, other])
    fitted = hw.HandwritingFeatures().fit(sums[:1])
    np.testing.assert_array_equal(fitted.mean_spectra_["speed"], sums[0].spectra["speed"])
    col = hw.FEATURE_NAMES.index("speed_freq_distance_to_mean")
    d = fitted.transform(sums[1:])[0, col]
    assert d == pytest.approx(np.linalg.norm(sums[1].spectra["speed"] - sums[0].spectra["speed"]))
    # transforming alongside other recordings does not change a row
    assert fitted.transform(sums)[1, col] == d
    with pytest.raises(Exception, match="not fitted"):
        hw.HandwritingFeatures().transform(sums)
    assert list(fitted.get_feature_names_out()) == list(hw.FEATURE_NAMES)


def _data_file(name, pattern):
    import tremorlab as tl

    try:
        return tl.data.files(name, pattern)
    except Exception as exc:
        pytest.skip(str(exc))


def test_real_recordings_pahaw_and_uci():
    import tremorlab as tl

    spiral = tl.io.read_svc(_data_file("pahaw_bdalab_svc_sample", "HC-female/*.1_1.svc")[0])
    sentence = tl.io.read_svc(_data_file("pahaw_bdalab_svc_sample", "HC-female/*.9_1.svc")[0])
    s_sp = hw.summarize(spiral, content="drawing")
    assert set(s_sp.reasons) == {"space_between_words_mean", "space_between_words_std"}
    s_se = hw.summarize(sentence, content="text")
    assert np.isfinite(s_se.values["space_between_words_mean"]) and s_se.meta["n_words"] >= 3
    uci = tl.io.read_uci_spiral(_data_file("uci_spiral_tablet", "hw_dataset/control/*")[0], repair_time=True)[0]
    s_u = hw.summarize(uci, content="drawing")
    assert "azimuth" in s_u.reasons["tilt_y_change_mean"]
    assert np.isfinite(s_u.values["speed_mean"]) and np.isfinite(s_u.values["tremor_freq_median"])


def test_speed_frequencies_follow_a_known_stroke_rate():
    """Known answer (chapter 4): one phantom writer whose only change is the stroke interval.  The
    speed spectrum peaks at the stroke rate (within one 1/3-Hz bin) while that rate is under ~7 Hz,
    and its median rises with the rate; above ~7 Hz the study's 10-point block means (50 ms) damp the
    stroke-rate line and the up/down pair rate (half of it) takes over the peak."""
    from tremorlab.synth import handwriting as sh

    base = sh.writer_profile("w", "TD", 3, np.random.default_rng(0), effects=())
    med, peak = [], []
    for ioi in (0.25, 0.2, 0.16):
        p = dict(base.params, stroke_ioi_s=ioi, ioi_cv=0.05, submovement_prob=0.0)
        s = hw.summarize(sh.write_text(sh.WriterProfile("w", "TD", 3, 0.0, p), duration_s=30.0, seed=0))
        f, P = s.freqs["speed"], s.spectra["speed"]
        hi = f >= 2.5                                      # above the word envelope
        peak.append(f[hi][np.argmax(P[hi])])
        med.append(s.values["speed_freq_median"])
        assert abs(peak[-1] - 1 / ioi) <= 1 / 3 + 1e-9
    assert med[0] < med[1] < med[2]
