"""Tests of the shared tremor phantom (tremorlab.synth.tremor)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal as sps

from tremorlab.synth.tremor import TREMOR_KINDS, TremorPhantom, tremor_phantom


def _dominant(x: np.ndarray, rate: float) -> float:
    f, p = sps.welch(x, fs=rate, nperseg=min(x.size, 2048))
    return float(f[np.argmax(p)])


def test_api_shapes_and_sum():
    ph = tremor_phantom(kind="pd", duration_s=20.0, rate_hz=200.0, seed=0, n_axes=3, amplitude=1.0,
                        voluntary_amplitude=0.5, noise_std=0.01)
    assert isinstance(ph, TremorPhantom)
    n = 4000
    assert ph.t.shape == (n,) and ph.inst_freq_hz.shape == (n,) and ph.envelope.shape == (n,)
    for part in (ph.tremor, ph.voluntary, ph.noise, ph.signal):
        assert part.shape == (n, 3)
    np.testing.assert_array_equal(ph.signal, ph.voluntary + ph.tremor + ph.noise)
    np.testing.assert_allclose(ph.t[1] - ph.t[0], 1 / 200.0)
    assert TREMOR_KINDS == {"pd": (3.0, 7.0), "et": (4.0, 8.0), "physiological": (8.0, 12.0)}
    for key in ("frequency_hz", "drift_hz", "am_depth", "harmonics", "axis_gains", "seed", "kind"):
        assert key in ph.params


@pytest.mark.parametrize("kind", sorted(TREMOR_KINDS))
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_dominant_frequency_in_band(kind, seed):
    lo, hi = TREMOR_KINDS[kind]
    ph = tremor_phantom(kind=kind, duration_s=30.0, rate_hz=200.0, seed=seed, voluntary_amplitude=0.5,
                        noise_std=0.05, burst_depth=0.5)
    # the instantaneous frequency never leaves the band
    assert ph.inst_freq_hz.min() >= lo and ph.inst_freq_hz.max() <= hi
    for j in range(3):
        f = _dominant(ph.tremor[:, j], 200.0)
        assert lo - 0.1 <= f <= hi + 0.1
    # the measured (signal) spectrum, voluntary part removed by a high-pass, peaks in the band too
    hp = sps.butter(4, lo - 1.0, "highpass", fs=200.0, output="sos")
    f = _dominant(sps.sosfiltfilt(hp, ph.signal[:, 0]), 200.0)
    assert lo - 0.1 <= f <= hi + 0.1


def test_envelope_and_inst_freq_are_the_ones_returned():
    """Hilbert analysis of a pure-fundamental phantom recovers the returned e(t) and f(t)."""
    rate = 500.0
    ph = tremor_phantom(kind="et", duration_s=20.0, rate_hz=rate, seed=7, n_axes=1, amplitude=2.0,
                        noise_std=0.0, harmonics=(), drift_hz=0.5, am_depth=0.6)
    x = ph.tremor[:, 0]
    z = sps.hilbert(x)
    core = slice(int(2 * rate), -int(2 * rate))          # away from the record's ends
    np.testing.assert_allclose(np.abs(z)[core], ph.envelope[core], atol=0.02 * 2.0)
    inst = np.diff(np.unwrap(np.angle(z))) * rate / (2 * np.pi)
    mid = 0.5 * (ph.inst_freq_hz[1:] + ph.inst_freq_hz[:-1])
    np.testing.assert_allclose(inst[core], mid[core], atol=0.05)
    # the envelope peaks exactly at `amplitude`, and the waveform is exactly e(t) cos(theta(t))
    assert ph.envelope.max() == pytest.approx(2.0)
    theta = ph.params["phase0"] + np.concatenate([[0], np.cumsum(np.pi * (ph.inst_freq_hz[1:] + ph.inst_freq_hz[:-1]) / rate)])
    np.testing.assert_allclose(x, ph.envelope * np.cos(theta), atol=1e-9)
    # the drift really moves the frequency by drift_hz at its extreme
    assert np.max(np.abs(ph.inst_freq_hz - ph.params["frequency_hz"])) == pytest.approx(0.5)


def test_harmonics_coupling_and_gravity():
    rate = 200.0
    ph = tremor_phantom(kind="pd", duration_s=30.0, rate_hz=rate, seed=3, frequency_hz=5.0, drift_hz=0.0,
                        am_depth=0.0, harmonics=(0.3,), coupling=1.0, gravity=9.81, noise_std=0.0)
    f, p = sps.welch(ph.tremor[:, 0], fs=rate, nperseg=2000)
    a1 = p[np.argmin(np.abs(f - 5.0))]
    a2 = p[np.argmin(np.abs(f - 10.0))]
    assert a2 / a1 == pytest.approx(0.3 ** 2, rel=0.05)     # power ratio of the 2nd harmonic
    # secondary axes: the stated gains (correlated copies of the primary axis)
    for j in (1, 2):
        g = ph.params["axis_gains"][j]
        rms_ratio = np.std(ph.tremor[:, j]) / np.std(ph.tremor[:, 0])
        assert rms_ratio == pytest.approx(g, rel=0.02)
    # gravity: a constant vector of the stated magnitude
    np.testing.assert_allclose(np.linalg.norm(ph.voluntary.mean(axis=0)), 9.81)
    np.testing.assert_allclose(ph.voluntary.std(axis=0), 0.0, atol=1e-12)
    # no coupling: only the primary axis trembles
    ph0 = tremor_phantom(kind="pd", duration_s=5.0, rate_hz=rate, seed=3, coupling=0.0)
    assert np.all(ph0.tremor[:, 1:] == 0) and np.std(ph0.tremor[:, 0]) > 0.1


def test_voluntary_is_slow_and_scaled():
    ph = tremor_phantom(kind="et", duration_s=40.0, rate_hz=100.0, seed=4, voluntary_amplitude=0.7,
                        voluntary_max_hz=1.5)
    np.testing.assert_allclose(np.max(np.abs(ph.voluntary), axis=0), 0.7)
    f, p = sps.welch(ph.voluntary, fs=100.0, nperseg=4000, axis=0)
    frac_slow = p[f <= 1.6].sum(axis=0) / p.sum(axis=0)
    assert np.all(frac_slow > 0.99)


def test_bursts_drop_the_envelope():
    ph = tremor_phantom(kind="pd", duration_s=60.0, rate_hz=100.0, seed=5, burst_depth=0.9, am_depth=0.0,
                        burst_on_s=2.0, burst_off_s=2.0)
    e = ph.envelope / ph.envelope.max()
    assert e.min() == pytest.approx(0.1, abs=0.01)
    assert 0.2 < np.mean(e < 0.5) < 0.8        # a good share of time in off episodes


def test_noise_and_quantization():
    ph = tremor_phantom(duration_s=50.0, rate_hz=200.0, seed=1, noise_std=0.2, harmonics=())
    assert np.std(ph.noise) == pytest.approx(0.2, rel=0.03)
    q = tremor_phantom(duration_s=5.0, rate_hz=200.0, seed=1, noise_std=0.01, quantization=0.05)
    np.testing.assert_allclose(q.signal / 0.05, np.round(q.signal / 0.05), atol=1e-9)


def test_seeds_reproduce_and_differ():
    a = tremor_phantom(kind="et", seed=11, voluntary_amplitude=0.3)
    b = tremor_phantom(kind="et", seed=11, voluntary_amplitude=0.3)
    c = tremor_phantom(kind="et", seed=12, voluntary_amplitude=0.3)
    np.testing.assert_array_equal(a.signal, b.signal)
    assert a.params == b.params
    assert not np.allclose(a.signal, c.signal)
    # independent streams: the tremor does not depend on the noise or voluntary settings
    d = tremor_phantom(kind="et", seed=11, voluntary_amplitude=0.0, noise_std=0.5)
    np.testing.assert_array_equal(a.tremor, d.tremor)


@pytest.mark.parametrize("kwargs, match", [
    ({"kind": "cerebellar"}, "kind"),
    ({"rate_hz": 0.0}, "rate_hz"),
    ({"rate_hz": float("nan")}, "rate_hz"),
    ({"duration_s": -1.0}, "duration_s"),
    ({"duration_s": 0.001}, "samples"),
    ({"n_axes": 0}, "n_axes"),
    ({"n_axes": 2.5}, "n_axes"),
    ({"amplitude": -1.0}, "amplitude"),
    ({"noise_std": float("inf")}, "noise_std"),
    ({"am_depth": 1.0}, "am_depth"),
    ({"drift_hz": 2.5}, "drift_hz"),
    ({"rate_hz": 30.0}, "Nyquist"),
    ({"harmonics": (0.1, -0.2)}, "harmonics"),
    ({"voluntary_amplitude": 1.0, "voluntary_max_hz": 3.5}, "voluntary_max_hz"),
    ({"frequency_hz": 0.2, "drift_hz": 0.3}, "frequency_hz"),
    ({"seed": -3}, "seed"),
])
def test_bad_arguments_raise_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tremor_phantom(**kwargs)
