import numpy as np
import pytest

from tremorlab import dsp
from tremorlab.synth.shaking_table import G, shaking_table


def test_constant_speed_amplitude_and_frequency_match_the_orbit():
    tr = shaking_table("constant", n_samples=4000, seed=3, harmonic=0.0, noise_std_g=0.0, lsb_g=0.0)
    f0 = tr.speed_hz[0]
    assert np.all(tr.speed_hz == f0) and 3 <= f0 <= 7
    expected_peak = 0.005 * (2 * np.pi * f0) ** 2 / G  # r w^2 in g
    mag = np.hypot(tr.acc_true[:, 0], tr.acc_true[:, 1])
    np.testing.assert_allclose(mag, expected_peak, rtol=1e-9)  # circular orbit: constant |a|
    f, p = dsp.psd(tr.acc_true[:, 0], 200.0, nperseg=2048)
    assert abs(dsp.dominant_frequency(f, p) - f0) < 0.1


def test_acceleration_is_the_second_derivative_of_the_orbit_position():
    tr = shaking_table("variable", n_samples=4000, seed=1, harmonic=0.0, noise_std_g=0.0, lsb_g=0.0)
    fs = 200.0
    theta = tr.params["theta0"] + 2 * np.pi * np.concatenate(
        [[0.0], np.cumsum((tr.speed_hz[1:] + tr.speed_hz[:-1]) / 2) / fs])
    pos = 0.005 * np.cos(theta)
    acc_num = np.gradient(np.gradient(pos, 1 / fs), 1 / fs) / G
    inner = slice(10, -10)
    err = np.abs(acc_num[inner] - tr.acc_true[inner, 0])
    assert err.max() < 0.02 * np.abs(tr.acc_true[:, 0]).max()


def test_variable_speed_changes_and_stays_in_range():
    tr = shaking_table("variable", n_samples=4000, seed=2)
    assert tr.speed_hz.min() >= 3 and tr.speed_hz.max() <= 7
    assert tr.speed_hz.max() - tr.speed_hz.min() > 0.5


def test_sensor_noise_and_quantisation():
    tr = shaking_table("constant", n_samples=4000, seed=4)
    q = tr.acc / 0.0039
    np.testing.assert_allclose(q, np.round(q), atol=1e-9)
    resid = tr.acc - tr.acc_true
    assert 0.003 < resid.std() < 0.006


def test_deterministic_and_validated():
    a, b = shaking_table("variable", seed=5), shaking_table("variable", seed=5)
    np.testing.assert_array_equal(a.acc, b.acc)
    with pytest.raises(ValueError, match="mode"):
        shaking_table("sometimes")
    with pytest.raises(ValueError, match="speed_range_hz"):
        shaking_table(speed_range_hz=(5, 80))
