"""Signal-processing helpers against values worked by hand."""

import numpy as np
import pytest

from tremorlab import dsp


def test_resample_uniform_linear_and_hold():
    t = np.array([0.0, 0.1, 0.3])
    t2, ch = dsp.resample_uniform(t, {"x": np.array([0.0, 1.0, 3.0]), "b": np.array([True, False, True])}, 10.0)
    np.testing.assert_allclose(t2, [0, 0.1, 0.2, 0.3])
    np.testing.assert_allclose(ch["x"], [0, 1, 2, 3])
    np.testing.assert_array_equal(ch["b"], [True, False, False, True])
    with pytest.raises(ValueError, match="positive finite"):
        dsp.resample_uniform(t, {}, 0.0)


def test_psd_peak_and_band_power_of_a_sine():
    fs, f0, a = 200.0, 6.0, 2.0
    t = np.arange(0, 60, 1 / fs)
    x = a * np.sin(2 * np.pi * f0 * t)
    f, p = dsp.psd(x, fs, nperseg=1024)
    assert dsp.dominant_frequency(f, p) == pytest.approx(f0, abs=fs / 1024)
    # the power of a sine is a^2 / 2, all of it near f0
    assert dsp.band_power(f, p, (4.0, 8.0)) == pytest.approx(a ** 2 / 2, rel=0.02)


def test_median_frequency_and_bandwidth_of_a_flat_spectrum():
    f = np.linspace(0, 10, 1001)
    p = np.where((f >= 2) & (f <= 6), 1.0, 0.0)
    assert dsp.median_frequency(f, p) == pytest.approx(4.0, abs=0.02)
    assert dsp.spectral_bandwidth(f, p, 0.9) == pytest.approx(0.9 * 4.0, abs=0.03)


def test_bandpass_keeps_the_band_and_removes_the_rest():
    fs = 100.0
    t = np.arange(0, 20, 1 / fs)
    inband, outband = np.sin(2 * np.pi * 6 * t), np.sin(2 * np.pi * 0.5 * t)
    y = dsp.bandpass(inband + outband, fs, (3.0, 12.0))
    core = slice(200, -200)
    assert np.std(y[core] - inband[core]) < 0.05
    with pytest.raises(ValueError, match="Nyquist"):
        dsp.bandpass(y, fs, (3.0, 60.0))
