"""Monte Carlo helpers (hand-worked values) and the experiments on small cases."""

import os

import numpy as np
import pytest

from tremorlab.adaptive import montecarlo as mc


def test_moving_average_and_convergence_by_hand():
    np.testing.assert_allclose(mc.moving_average(np.array([2.0, 4, 6, 8]), 2), [2, 3, 5, 7])
    curve = np.array([0.0, -5, -12, -19, -21, -19.5, -20.5])
    assert mc.iterations_to_converge(curve, -20.0, 1.0) == 3   # first value <= -19
    assert mc.iterations_to_converge(curve, -30.0, 1.0) == curve.size  # never
    e2 = np.array([1.0, 1, 1, 1])
    d2 = np.array([10.0, 10, 10, 10])
    assert mc.steady_state_db(e2, d2, 0.5) == pytest.approx(-10.0)


def test_mu_grid_is_the_papers():
    assert len(mc.MU_GRID) == 37 and mc.MU_GRID[0] == 1e-4 and mc.MU_GRID[-1] == 1.0
    assert 5e-4 in mc.MU_GRID and 8e-3 in mc.MU_GRID and 5e-3 in mc.MU_GRID


def _tones(n_sig=3, n=3000, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 200.0
    return np.stack([np.sqrt(2) * np.sin(2 * np.pi * rng.uniform(3, 7) * t + rng.uniform(0, 6)) for _ in range(n_sig)])


def test_monte_carlo_curves_start_at_zero_db_and_reach_the_noise_floor():
    X = _tones()
    setup = mc.Setup(noise_std=0.01)
    res = mc.monte_carlo("rls", mc.PAPER_PARAMS["rls"], X, n_runs=4, setup=setup)
    assert res.curve_db[0] == pytest.approx(0.0)
    # a pure tone is cancelled exactly by 2 taps: the residual is the sensor noise, whose level is known
    d_pow = np.mean([np.mean(np.convolve(x, setup.primary_path)[: x.size] ** 2) for x in X])
    floor = 10 * np.log10(setup.noise_std**2 / (d_pow + setup.noise_std**2))
    s = res.summary()
    assert abs(s["steady_db"] - floor) < 0.5
    assert s["steady_db_ci"][0] <= s["steady_db"] <= s["steady_db_ci"][1]
    assert 0 < s["iterations"] < 500


def test_same_seed_same_numbers_and_grid_statuses():
    X = _tones(2, 2000)
    a = mc.monte_carlo("fxnlms", mc.PAPER_PARAMS["fxnlms"], X, n_runs=2)
    b = mc.monte_carlo("fxnlms", mc.PAPER_PARAMS["fxnlms"], X, n_runs=2)
    np.testing.assert_array_equal(a.e2, b.e2)
    tab = mc.grid_search("fxlms", [{"step_size": 1e-3}, {"step_size": 1.0}, {"step_size": 100.0}], X)
    assert list(tab["status"])[0] == "ok"
    assert set(tab["status"][1:]) <= {"diverged", "outside bound"}
    assert "outside bound" in set(tab["status"])


def test_shaking_table_constant_converges_faster_than_variable():
    p = mc.PAPER_PARAMS["kalman"] | {"measurement_noise": 1e-4, "process_noise": 1e-4}
    const = mc.shaking_table_experiment("constant", p, n_trials=4, n_samples=1500).summary()
    var = mc.shaking_table_experiment("variable", p, n_trials=4, n_samples=1500).summary()
    assert const["steady_db"] < -25 and var["steady_db"] < -10
    assert const["steady_db"] < var["steady_db"]


@pytest.mark.skipif(not os.environ.get("TREMORLAB_DATA"), reason="needs TREMORLAB_DATA (the sample data)")
def test_uci_pen_signals_are_tremor_band_unit_rms():
    from tremorlab import dsp, data
    from tremorlab.synth.pen_signals import tremor_signal_from_file

    path = data.files("uci_spiral_tablet", "hw_dataset/parkinson/P_05060004.txt")[0]
    sig = tremor_signal_from_file(path)
    assert sig.x.shape == (4000,) and sig.rate_hz == 200.0
    assert np.sqrt(np.mean(sig.x**2)) == pytest.approx(1.0)
    f, p = dsp.psd(sig.x, 200.0, nperseg=512)
    assert dsp.band_power(f, p, (3, 12)) / dsp.band_power(f, p, (0.5, 99)) > 0.9
    assert 3 <= sig.dominant_hz <= 12 and sig.meta["original_rate_hz"] < 120
    short = data.files("uci_spiral_tablet", "hw_dataset/parkinson/P_26060001.txt")[0]
    assert tremor_signal_from_file(short) is None  # 6.7 s of spiral: too short for 4000 samples
