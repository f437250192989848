"""Filtered-x active control against the Wiener solution of a stationary case."""

import numpy as np
import pytest

from tremorlab.adaptive import anc


def _stationary(n=40000, seed=0):
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(n + 200)
    # a coloured stationary reference: AR(1), pole 0.6, unit power (eigenvalue spread 4 for 2 taps,
    # so every LMS mode converges within the record; a narrow-band tremor would leave one mode
    # unconverged for 1e5 samples, which is the point of the chapter, not of this test)
    x = np.zeros(n + 200)
    for i in range(1, n + 200):
        x[i] = 0.6 * x[i - 1] + white[i]
    x = x[200:] / np.std(x[200:])
    d = anc.disturbance(x, anc.PRIMARY_PATH, noise_std=0.05, rng=rng)
    return x, d


def test_wiener_solution_is_the_least_squares_optimum():
    x, d = _stationary(5000)
    w, mmse = anc.wiener_solution(x, d)
    xf = np.convolve(x, anc.SECONDARY_PATH)[: x.size]
    for dw in ([0.01, 0], [0, -0.01]):  # any perturbation increases the residual
        ww = w + np.array(dw)
        e = d - ww[0] * xf - ww[1] * np.concatenate([[0], xf[:-1]])
        assert np.mean(e * e) > mmse


@pytest.mark.parametrize("algorithm, params, tol", [
    ("fxlms", {"step_size": 2e-3}, 0.03),
    ("fxnlms", {"step_size": 5e-3, "regularization": 1e-6}, 0.03),
    ("fxlms_nlms", {"lms_step_size": 1e-3, "nlms_step_size": 2e-3, "regularization": 1e-6}, 0.03),
    ("rls", {"forgetting_factor": 0.9995, "regularization": 0.01}, 0.03),
    ("kalman", {"process_noise": 1e-8, "measurement_noise": 0.01, "initial_covariance": 1.0}, 0.03),
    ("lms", {"step_size": 2e-3}, 0.03),
    ("nlms", {"step_size": 5e-3, "regularization": 1e-6}, 0.03),
])
def test_filters_converge_to_the_wiener_solution(algorithm, params, tol):
    x, d = _stationary()
    w_opt, mmse = anc.wiener_solution(x, d)
    f = anc.make_filter(algorithm, params)
    xin = x if algorithm in anc.FILTERED_X else np.convolve(x, anc.SECONDARY_PATH)[: x.size]
    ws = []
    for k in range(0, x.size, 1000):
        f.run(xin[k:k + 1000], d[k:k + 1000])
        ws.append(f.w_)
    w_mean = np.mean(ws[len(ws) // 2:], axis=0)
    assert np.linalg.norm(w_mean - w_opt) / np.linalg.norm(w_opt) < tol
    e = anc.simulate(algorithm, x, d, params)
    # steady-state residual within 1 dB of the minimum (excess MSE small for these step sizes)
    assert 10 * np.log10(np.mean(e[-10000:] ** 2) / mmse) < 1.0


def test_simulate_residual_is_d_minus_secondary_path_of_output():
    x, d = _stationary(3000)
    f = anc.make_filter("fxnlms", {"step_size": 0.05, "regularization": 1e-6})
    y, e = f.run(x, d)
    ys = np.convolve(y, anc.SECONDARY_PATH)[: x.size]
    np.testing.assert_allclose(e, d - ys, rtol=0, atol=1e-12)


def test_unknown_algorithm():
    with pytest.raises(ValueError, match="unknown algorithm"):
        anc.make_filter("bogus", {})
