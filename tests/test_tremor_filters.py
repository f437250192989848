"""BMFLC, EBMFLC and WAKE on mixtures with a known answer."""

from __future__ import annotations

import numpy as np
import pytest

from tremorlab.tremor import BMFLC, EBMFLC, WAKE
from tremorlab.tremor._fourier import band_mask, frequency_grid, regressors
from tremorlab.tremor.wake import wavelet_detail_fir

FS = 100.0
T = np.arange(3000) / FS                      # 30 s
VOL = 0.3 * np.sin(2 * np.pi * 0.5 * T + 0.3)  # 0.5 Hz voluntary motion
TREM = 0.1 * np.sin(2 * np.pi * 8.0 * T + 1.0)  # 8 Hz tremor
LATE = slice(2000, None)                        # after convergence


def _rms(x):
    return float(np.sqrt(np.mean(np.square(x))))


# --- the regressor layout (sine / cosine indexing) ------------------------------------------

def test_regressor_layout_sines_then_cosines():
    f = frequency_grid(3.0, 4.0, 0.5, FS)
    np.testing.assert_allclose(f, [3.0, 3.5, 4.0])
    t = np.array([0.0, 0.01, 0.37])
    X = regressors(t, f)
    np.testing.assert_allclose(X[:, 1], np.sin(2 * np.pi * 3.5 * t))
    np.testing.assert_allclose(X[:, 3 + 1], np.cos(2 * np.pi * 3.5 * t))
    m = band_mask(f, 3.4, 4.1)
    np.testing.assert_array_equal(m, [False, True, True, False, True, True])


@pytest.mark.parametrize("phase, expect", [(0.0, "sin"), (np.pi / 2, "cos")])
def test_bmflc_sine_goes_to_sine_weight_cosine_to_cosine_weight(phase, expect):
    """A pure sine at a grid frequency converges to the sine weight of that frequency only."""
    f0 = 8.0
    x = np.sin(2 * np.pi * f0 * T + phase)        # phase pi/2: a cosine
    flt = BMFLC(band_hz=(6.0, 10.0), spacing_hz=0.5, step_size=0.02)
    flt.run(x)
    a, b = flt.sine_cosine_weights()
    r = int(np.argmin(np.abs(flt.freqs_ - f0)))
    hit, miss = (a, b) if expect == "sin" else (b, a)
    assert hit[r] == pytest.approx(1.0, abs=0.02)
    assert abs(miss[r]) < 0.02
    others = np.delete(np.abs(np.concatenate([a, b])), [r, r + a.size])
    assert others.max() < 0.02


@pytest.mark.parametrize("phase, expect", [(0.0, "sin"), (np.pi / 2, "cos")])
def test_ebmflc_sine_cosine_indexing_and_band_readout(phase, expect):
    """EBMFLC: the weight lands in the right slot and the band read-outs pick the right terms."""
    # tremor-band sinusoid: all of it in the tremor read-out, none in the voluntary one
    x = 0.2 * np.sin(2 * np.pi * 8.0 * T + phase)
    flt = EBMFLC(memory_gain=1.0, step_size=0.008)
    v, tr = flt.run(x)
    a, b = flt.sine_cosine_weights()
    r = int(np.argmin(np.abs(flt.freqs_ - 8.0)))
    hit, miss = (a, b) if expect == "sin" else (b, a)
    assert hit[r] == pytest.approx(0.2, abs=0.01) and abs(miss[r]) < 0.01
    assert _rms(tr[LATE] - x[LATE]) < 0.01 and _rms(v[LATE]) < 0.01
    assert flt.peak_hz_ == pytest.approx(8.0)
    # voluntary-band sinusoid: all of it in the voluntary read-out
    y = 0.2 * np.sin(2 * np.pi * 1.0 * T + phase)
    v, tr = EBMFLC(memory_gain=1.0, step_size=0.008).run(y)
    assert _rms(v[LATE] - y[LATE]) < 0.01 and _rms(tr[LATE]) < 0.01


# --- known mixtures: 8 Hz tremor on a 0.5 Hz voluntary motion --------------------------------

@pytest.mark.parametrize("make, tol, complementary", [
    (BMFLC, 0.02, True),      # voluntary = s - tremor
    # separate band read-outs; 0.5 Hz on the 0.1-Hz grid, no forgetting (see the bias test below)
    (lambda: EBMFLC(spacing_hz=0.1, step_size=0.004, memory_gain=1.0), 0.02, False),
    (WAKE, 0.04, True),                      # default d = 0: window-edge reconstruction
    (lambda: WAKE(delay=4), 0.015, True),    # measurement 4 samples in, then predicted
])
def test_mixture_converges_to_truth(make, tol, complementary):
    s = VOL + TREM
    v, tr = make().run(s)
    # doing nothing leaves the whole tremor (rms 0.071) in the voluntary estimate
    assert _rms(v[LATE] - VOL[LATE]) < tol
    assert _rms(tr[LATE] - TREM[LATE]) < tol
    if complementary:
        np.testing.assert_allclose(v + tr, s, atol=1e-12)


def test_ebmflc_forgetting_shrinks_weights_as_predicted():
    """Leaky LMS w <- rho w + step_size x e: in steady state E[w] = A (step_size / 2) / (step_size / 2 + 1 - rho)
    for an on-grid sinusoid (its regressor's mean square is 1/2)."""
    A = 0.2
    # alpha = 0.5 over T_p = 2 s, step_size = 0.016; a coarse 2-Hz grid keeps the modes orthogonal
    flt = EBMFLC(max_hz=10.0, spacing_hz=2.0)
    flt.run(A * np.sin(2 * np.pi * 8.0 * T))
    a, _ = flt.sine_cosine_weights()
    r = int(np.argmin(np.abs(flt.freqs_ - 8.0)))
    half = flt.step_size / 2
    expect = A * half / (half + 1 - flt.rho)
    assert flt.rho == pytest.approx(0.5 ** (1 / 200))
    assert a[r] == pytest.approx(expect, rel=0.02)
    assert expect < 0.75 * A          # the bias is large: alpha = 0.5 costs a third of the amplitude


@pytest.mark.parametrize("cls", [BMFLC, EBMFLC, WAKE])
def test_update_equals_run_exactly(cls):
    s = (VOL + TREM)[:600] + 0.01 * np.random.default_rng(0).standard_normal(600)
    v_run, t_run = cls().run(s)
    f = cls()
    out = np.array([f.update(x) for x in s])
    np.testing.assert_array_equal(out[:, 0], v_run)
    np.testing.assert_array_equal(out[:, 1], t_run)
    # run in two chunks continues the same recursion
    g = cls()
    v1, _ = g.run(s[:250])
    v2, _ = g.run(s[250:])
    np.testing.assert_allclose(np.concatenate([v1, v2]), v_run, rtol=0, atol=1e-12)
    # reset starts over
    g.reset()
    np.testing.assert_array_equal(g.run(s)[0], v_run)


def test_wake_fir_is_the_wavelet_detail_reconstruction():
    pywt = pytest.importorskip("pywt")
    rng = np.random.default_rng(3)
    win = rng.standard_normal(128)
    c = pywt.wavedec(win, "db4", level=4, mode="symmetric")
    c[0] = np.zeros_like(c[0])
    rec = pywt.waverec(c, "db4", mode="symmetric")[:128]
    for d in (0, 5):
        h = wavelet_detail_fir(128, "db4", 4, d)
        assert h @ win == pytest.approx(rec[127 - d], abs=1e-10)
    # a constant window has no detail content
    assert wavelet_detail_fir(128) @ np.ones(128) == pytest.approx(0.0, abs=1e-10)


@pytest.mark.parametrize("cls", [BMFLC, EBMFLC, WAKE])
def test_bad_input(cls):
    f = cls()
    with pytest.raises(ValueError, match="sample 3 is nan"):
        f.run(np.array([0.0, 0.1, 0.2, np.nan, 0.3]))
    with pytest.raises(ValueError, match="finite"):
        f.update(np.inf)
    with pytest.raises(ValueError, match="1-D"):
        f.run(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="sampling_rate_hz"):
        cls(sampling_rate_hz=0)


def test_bad_parameters():
    with pytest.raises(ValueError, match="step_size m"):
        BMFLC(step_size=0.1)
    with pytest.raises(ValueError, match="Nyquist"):
        BMFLC(sampling_rate_hz=20.0)
    with pytest.raises(ValueError, match="memory_gain"):
        EBMFLC(memory_gain=0.0)
    with pytest.raises(ValueError, match="levels"):
        WAKE(levels=9)
