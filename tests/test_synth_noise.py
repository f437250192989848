"""The band-limited noise kinds of tremorlab.synth.noise: each spectrum against its definition."""

import numpy as np
import pytest
from scipy import signal as sps

from tremorlab.synth import noise


def test_kinds_are_named():
    assert noise.KINDS == {"brick_wall": noise.brick_wall, "ar1": noise.ar1, "butterworth": noise.butterworth}


def test_brick_wall_has_no_power_outside_its_band():
    rng = np.random.default_rng(0)
    n, fs, fc = 5000, 100.0, 0.5
    x = noise.brick_wall(rng, n, fs, fc)
    assert x.shape == (n,)
    assert np.max(np.abs(x)) == pytest.approx(1.0)
    assert abs(x.mean()) < 1e-12
    # the doubled record the definition draws holds no power above the cut nor at DC: rebuild it
    # from the same draws (first k coefficients) and check its spectrum exactly
    rng = np.random.default_rng(0)
    m = 2 * n
    k = int(np.floor(fc / (fs / m)))
    coef = np.zeros(m // 2 + 1, complex)
    coef[1:k + 1] = rng.standard_normal(k) + 1j * rng.standard_normal(k)
    full = np.fft.irfft(coef, n=m)
    spec = np.abs(np.fft.rfft(full)) ** 2
    f = np.fft.rfftfreq(m, 1 / fs)
    assert spec[(f > fc) | (f == 0)].sum() < 1e-20 * spec.sum()
    y = full[:n] - full[:n].mean()
    np.testing.assert_allclose(x, y / np.abs(y).max(), rtol=1e-12, atol=1e-15)
    # the returned half: truncation leaks only a little power past the cut
    spec = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(n, 1 / fs)
    assert spec[f > 2 * fc].sum() / spec.sum() < 0.01


def test_brick_wall_always_uses_one_bin():
    x = noise.brick_wall(np.random.default_rng(1), 100, 100.0, 1e-6)
    assert np.max(np.abs(x)) == pytest.approx(1.0)


@pytest.mark.parametrize("fc", [0.25, 0.8, 5.0])
def test_ar1_has_its_lag1_autocorrelation_and_unit_variance(fc):
    fs, n = 120.0, 400_000
    x = noise.ar1(np.random.default_rng(2), n, fs, fc)
    a = np.exp(-2 * np.pi * fc / fs)
    burn = int(20 / (1 - a))
    x = x[burn:]
    r1 = np.corrcoef(x[:-1], x[1:])[0, 1]
    assert r1 == pytest.approx(a, abs=5 * np.sqrt((1 - a * a) / x.size))  # 5 standard errors
    assert x.var() == pytest.approx(1.0, rel=0.05 if fc > 0.5 else 0.15)
    # its spectrum is the AR(1) one, 1 / (1 - 2a cos w + a^2), up to the estimate's noise
    f, p = sps.welch(x, fs=fs, nperseg=4096)
    w = 2 * np.pi * f / fs
    model = (1 - a * a) / (1 - 2 * a * np.cos(w) + a * a) * 2 / fs
    band = (f > 0.05) & (f < 50)
    assert np.median(p[band] / model[band]) == pytest.approx(1.0, rel=0.1)


def test_ar1_starts_at_rest():
    rng = np.random.default_rng(3)
    x = noise.ar1(rng, 5, 100.0, 1.0)
    w = np.random.default_rng(3).standard_normal(5)
    a = np.exp(-2 * np.pi / 100.0)
    assert x[0] == pytest.approx(np.sqrt(1 - a * a) * w[0])


@pytest.mark.parametrize("band", [(0.0, 0.3), (0.0, 2.0), (6.0, 12.0), (0.0, 150.0)])
def test_butterworth_power_follows_the_squared_filter(band):
    fs, n = 200.0, 200_000
    x = noise.butterworth(np.random.default_rng(4), n, fs, band)
    assert x.shape == (n,)
    assert x.std() == pytest.approx(1.0)
    lo, hi = band[0], min(band[1], 0.45 * fs)
    btype, wn = ("lowpass", hi) if lo <= 0 else ("bandpass", [lo, hi])
    sos = sps.butter(2, wn, btype=btype, fs=fs, output="sos")
    f, p = sps.welch(x, fs=fs, nperseg=8192)
    _, h = sps.sosfreqz(sos, worN=f, fs=fs)
    model = np.abs(h) ** 4  # forwards and backwards: |H|^2 twice
    model *= p.sum() / model.sum()
    strong = model > 0.05 * model.max()
    assert np.median(p[strong] / model[strong]) == pytest.approx(1.0, rel=0.1)
    # far outside the band the power is gone (the 4th-order response)
    far = f > 4 * hi if hi < 0.2 * fs else np.zeros_like(f, bool)
    if lo > 0:
        far |= f < lo / 4
    if far.any():
        assert p[far].max() < 1e-3 * p.max()
