"""The step-size bound the panel shows (tremorlab.pen.stability): the delayed-LMS bound against
the roots of its characteristic polynomial, the secondary-path estimate against the firmware's
formula, and the bound on the emulated loop (firmware in the loop, virtual clock)."""

from __future__ import annotations

import math
import os
import shutil

import numpy as np
import pytest

from tremorlab.pen import protocol as P
from tremorlab.pen import stability as S

DEFAULTS = {p.name: p.default for p in P.PARAMS}


@pytest.mark.parametrize("delay", [0, 1, 2, 5, 9])
def test_delayed_lms_bound_is_where_a_root_reaches_the_unit_circle(delay):
    # z^(D+1) - z^D + mu = 0: every root inside the unit circle iff mu < 2 sin(pi / (2 (2D + 1)))
    b = S.delayed_lms_bound(delay)
    for mu, inside in ((0.98 * b, True), (1.02 * b, False)):
        c = np.zeros(delay + 2)
        c[0], c[1] = 1.0, -1.0
        c[-1] += mu
        assert (np.abs(np.roots(c)).max() < 1.0) == inside, (delay, mu)
    assert S.delayed_lms_bound(0) == pytest.approx(2.0)


def test_secondary_path_estimate_is_the_firmware_formula():
    s = S.secondary_path_fir(DEFAULTS)
    a = math.exp(-1000.0 / (5.0 * 1000.0))
    assert s.size == 16 and np.all(s[:2] == 0) and s[2] == pytest.approx(1 - a) and s[5] == pytest.approx((1 - a) * a ** 3)
    # dead time 2 plus the lag's a / (1 - a), less what the 16 taps cut off
    assert 2.0 < S.mean_delay(DEFAULTS) < 2.0 + a / (1 - a)


def test_bounds_per_algorithm():
    x = np.sin(2 * np.pi * 5 * np.arange(4000) / 1000.0) * 0.05
    fx = S.step_size_bounds("fxnlms", DEFAULTS, x)
    assert fx["step_size"] is None and fx["step_size_2"] == pytest.approx(S.delayed_lms_bound(S.mean_delay(DEFAULTS)))
    assert S.step_size_bounds("nlms", DEFAULTS)["step_size_2"] == pytest.approx(2.0)
    lms = S.step_size_bounds("lms", DEFAULTS, x)
    assert lms["step_size"] == pytest.approx(2.0 / (4 * lms["power"]))
    assert S.step_size_bounds("fxlms", DEFAULTS)["step_size"] is None          # needs the signal power
    both = S.step_size_bounds("fxlms_nlms", DEFAULTS, x)
    assert both["step_size_2"] == pytest.approx(fx["limit"] - 0.05 * 4 * both["power"])
    assert S.step_size_bounds("kalman", DEFAULTS)["text"].startswith("kalman: no step size")


def test_beyond_the_bound_the_emulated_loop_is_worse_than_the_motor_off():
    if shutil.which("g++") is None or shutil.which("make") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("g++/make missing: the emulator cannot be built")
        pytest.skip("g++/make missing (Debian: apt-get install make g++)")
    from tremorlab.pen.emulator import emulated_session, segment_stats

    bound = S.step_size_bounds("fxnlms", DEFAULTS)["step_size_2"]
    mse = {}
    for f in (0.5, 1.5):
        s, seg = emulated_session(["fxnlms"], "pd", 3.0, 8.0, params={"step_size_2": f * bound})
        rows = segment_stats(s, seg, 1000.0, (3.0, 7.0))
        mse[f] = rows["fxnlms"]["MSE (dB)"] - rows["motor off"]["MSE (dB)"]
    assert mse[0.5] < -3.0, mse        # inside the bound: less vibration than with the motor off
    assert mse[1.5] > 0.0, mse         # beyond it: more


def _params(**kw):
    from tremorlab.pen import protocol as P

    p = {k: v.default for k, v in P.PARAM_BY_NAME.items()}
    p.update(kw)
    return p


def test_naive_update_eigenvalues_known_paths():
    from tremorlab.pen.stability import naive_update_eigenvalues

    rng = np.random.default_rng(0)
    x = rng.standard_normal(20000)
    # a path with no delay and unit gain (tau -> 0: s = [1, 0, ...]): the update is the plain LMS one, R^-1 R = I
    ev = naive_update_eigenvalues(x, _params(sec_delay=0, sec_tau_ms=1e-6, sec_gain=1.0))
    assert np.allclose(ev, 1.0, atol=1e-9)
    # a pure gain: S u = 0.5 u, so R^-1 E[u (S u)^T] = 0.5 I
    ev = naive_update_eigenvalues(x, _params(sec_delay=0, sec_tau_ms=1e-6, sec_gain=0.5))
    assert np.allclose(ev, 0.5, atol=1e-9)
    # a sinusoid of w rad/sample through a pure delay of d samples, 2 taps: u(n - d) is the sinusoid's own state
    # moved back d steps, so the eigenvalues are exp(-+ j w d); at w d = 0.6 pi both have the real part cos(0.6 pi) < 0
    w, d = 2 * np.pi * 50 / 1000, 6
    ev = naive_update_eigenvalues(np.sin(w * np.arange(20000)), _params(n_taps=2, sec_delay=d, sec_tau_ms=1e-6))
    assert np.allclose(sorted(ev, key=lambda z: z.imag), [np.exp(-1j * w * d), np.exp(1j * w * d)], atol=1e-6)
    assert np.all(ev.real < 0)
    with pytest.raises(ValueError, match="at least"):
        naive_update_eigenvalues(x[:50], _params())
