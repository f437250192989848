"""sEMG features of chapter 5: hand-worked values, Rice's zero-crossing law, bad input."""

import numpy as np
import pytest

import tremorlab as tl
from tremorlab.features.emg import (check_emg, emg_feature_names, emg_features, rms, zc_tolerance,
                                    zero_crossings)
from tremorlab.io import EmgRecording, RecordingError


def _rec(ch, rate=200.0):
    ch = np.asarray(ch, dtype=float)
    return EmgRecording(t=np.arange(ch.shape[0]) / rate, channels=ch, source="test.emg")


def test_rms_by_hand():
    x = np.array([[3.0, 1.0], [4.0, -1.0]])
    np.testing.assert_allclose(rms(x), [np.sqrt(12.5), 1.0])
    np.testing.assert_allclose(rms([2.0, -2.0, 2.0]), [2.0])


def test_zero_crossings_by_hand():
    x = np.array([1.0, -1.0, 2.0, -0.5, 0.2])
    # sign changes at all 4 pairs; steps 2, 3, 2.5, 0.7
    assert zero_crossings(x, tolerance=0.0, reading="literal")[0] == 4
    assert zero_crossings(x, tolerance=1.0, reading="literal")[0] == 3
    assert zero_crossings(x, tolerance=1.0)[0] == pytest.approx(3 / 4)   # rate per sample pair
    # a sample exactly at zero is no sign: 1 -> 0 -> -1 counts nothing
    assert zero_crossings([1.0, 0.0, -1.0], tolerance=0.0, reading="literal")[0] == 0


def test_default_tolerance_is_mean_channel_std():
    x = np.array([[1.0, 10.0], [-1.0, -10.0], [1.0, 10.0], [-1.0, -10.0]])
    # stds 1 and 10 -> tolerance 5.5: channel 1 steps (2) never count, channel 2 steps (20) always do
    assert zc_tolerance(x) == pytest.approx(5.5)
    assert zc_tolerance(x, reading="literal") == pytest.approx(5.5 / 4)
    np.testing.assert_allclose(zero_crossings(x), [0.0, 1.0])
    # literal reading: tolerance 5.5 / 4 = 1.375 < 2, so channel 1 now counts its 3 crossings
    np.testing.assert_allclose(zero_crossings(x, reading="literal"), [3.0, 3.0])


@pytest.mark.parametrize("rho", [0.0, 0.7, -0.5])
def test_zero_crossing_rate_follows_rice(rho):
    """For a stationary Gaussian AR(1) the chance of a sign change is arccos(rho) / pi."""
    from scipy.signal import lfilter

    rng = np.random.default_rng(1)
    x = lfilter([1.0], [1.0, -rho], rng.standard_normal(400_000))
    got = zero_crossings(x, tolerance=0.0)[0]
    assert got == pytest.approx(np.arccos(rho) / np.pi, abs=0.004)


def test_feature_names_and_order():
    names = emg_feature_names()
    assert len(names) == 16 and names[0] == "emg_rms_ch1" and names[8] == "emg_zc_ch1" and names[-1] == "emg_zc_ch8"
    rng = np.random.default_rng(0)
    ch = np.round(rng.normal(0, 10, (400, 8)))
    f = emg_features(_rec(ch))
    assert list(f) == names
    np.testing.assert_allclose([f[f"emg_rms_ch{j + 1}"] for j in range(8)], rms(ch))


def test_flat_channel_is_refused():
    ch = np.random.default_rng(0).normal(0, 5, (300, 8)).round()
    ch[:, 3] = 7.0
    with pytest.raises(RecordingError, match=r"test\.emg.*channels\[ch4\].*flat"):
        emg_features(_rec(ch))


def test_saturated_channel_is_refused():
    ch = np.random.default_rng(0).normal(0, 5, (300, 8)).round()
    ch[::5, 6] = 127.0   # 20 % of samples at the rail
    with pytest.raises(RecordingError, match=r"channels\[ch7\].*rails"):
        check_emg(_rec(ch))


def test_missing_channel_is_refused():
    ch = np.random.default_rng(0).normal(0, 5, (300, 7)).round()
    with pytest.raises(RecordingError, match=r"8 EMG channels.*7 channels"):
        emg_features(_rec(ch))


def test_bad_reading_and_tolerance():
    with pytest.raises(ValueError, match="reading"):
        zero_crossings([1.0, -1.0, 1.0], reading="nope")
    with pytest.raises(ValueError, match="tolerance"):
        zero_crossings([1.0, -1.0, 1.0], tolerance=-1.0)


def test_real_myo_file():
    path = tl.data.files("uci_emg_gestures_myo", "01/1_*.txt")[0]
    rec = tl.io.read_myo_emg(path)
    f = emg_features(rec)
    assert len(f) == 16 and np.isfinite(list(f.values())).all()
    # Myo counts: RMS of a few counts to tens of counts; a crossing rate between 0 and 1
    assert all(0.5 < f[f"emg_rms_ch{j}"] < 60 for j in range(1, 9))
    assert all(0 < f[f"emg_zc_ch{j}"] < 1 for j in range(1, 9))
