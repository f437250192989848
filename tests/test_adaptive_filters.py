"""The seven adaptive filters: update == run, system identification, known solutions, stability errors."""

import numpy as np
import pytest

from tremorlab.adaptive import (ALGORITHMS, LMS, NLMS, RLS, FilterDivergedError, FxLMS, FxLMSNLMS, FxNLMS, Kalman,
                                StabilityError, lms_step_bound)

S = np.array([0.0, 0.8, 0.3])


def _make(name):
    return {
        "lms": lambda: LMS(4, 0.02),
        "nlms": lambda: NLMS(4, 0.3, regularization=1e-6),
        "fxlms": lambda: FxLMS(2, 0.01, S, [0.0, 0.75, 0.32]),
        "fxnlms": lambda: FxNLMS(2, 0.05, S, regularization=1e-6),
        "fxlms_nlms": lambda: FxLMSNLMS(2, 0.005, 0.02, S, regularization=1e-6),
        "rls": lambda: RLS(4, 0.99, 0.01),
        "kalman": lambda: Kalman(4, 1e-5, 0.01, 1.0),
    }[name]()


def _signals(n=1500, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    d = np.convolve(x, [0.5, -0.4, 0.2, 0.1])[:n] + 0.05 * rng.standard_normal(n)
    return x, d


@pytest.mark.parametrize("name", list(ALGORITHMS))
def test_update_and_run_agree_exactly(name):
    x, d = _signals()
    a, b = _make(name), _make(name)
    y_run, e_run = a.run(x, d)
    out = np.array([b.update(xi, di) for xi, di in zip(x, d)])
    np.testing.assert_array_equal(out[:, 0], y_run)
    np.testing.assert_array_equal(out[:, 1], e_run)
    np.testing.assert_array_equal(a.w_, b.w_)
    assert a.n_samples_ == b.n_samples_ == x.size


@pytest.mark.parametrize("name", list(ALGORITHMS))
def test_run_continues_from_state_and_reset_restarts(name):
    x, d = _signals(800)
    whole = _make(name)
    y, e = whole.run(x, d)
    split = _make(name)
    y1, e1 = split.run(x[:300], d[:300])
    y2, e2 = split.run(x[300:], d[300:])
    np.testing.assert_array_equal(np.concatenate([e1, e2]), e)
    split.reset()
    np.testing.assert_array_equal(split.run(x, d)[1], e)


@pytest.mark.parametrize("make", [lambda: LMS(15, 0.05), lambda: NLMS(15, 0.5), lambda: RLS(15, 1.0, 1e-3),
                                  lambda: Kalman(15, 0.0, 1e-3, 10.0)])
def test_system_identification_unit_norm_15_taps(make):
    # pyroomacoustics-style: unit-norm 15-tap unknown system, 2000 white samples, no noise.
    rng = np.random.default_rng(1)
    h = rng.standard_normal(15)
    h /= np.linalg.norm(h)
    x = rng.standard_normal(2000)
    d = np.convolve(x, h)[:2000]
    f = make()
    f.run(x, d)
    assert np.linalg.norm(f.w_ - h) < 1e-2


def test_rls_with_unit_forgetting_is_regularised_least_squares():
    # lambda = 1, P(0) = I/delta  =>  w_N = (delta I + sum u u^T)^-1 sum u d  (closed form)
    x, d = _signals(300, seed=3)
    delta = 0.5
    f = RLS(4, 1.0, delta)
    f.run(x, d)
    U = np.stack([np.concatenate([np.zeros(k), x[: x.size - k]]) for k in range(4)], axis=1)
    w = np.linalg.solve(delta * np.eye(4) + U.T @ U, U.T @ d)
    np.testing.assert_allclose(f.w_, w, rtol=1e-9, atol=1e-10)


def test_rls_forgetting_matches_weighted_least_squares():
    x, d = _signals(400, seed=4)
    lam, delta = 0.98, 0.1
    f = RLS(3, lam, delta)
    f.run(x, d)
    n = x.size
    U = np.stack([np.concatenate([np.zeros(k), x[: n - k]]) for k in range(3)], axis=1)
    wts = lam ** (n - 1 - np.arange(n))
    w = np.linalg.solve(delta * lam**n * np.eye(3) + (U * wts[:, None]).T @ U, (U * wts[:, None]).T @ d)
    np.testing.assert_allclose(f.w_, w, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(f.P_, f.P_.T, rtol=0, atol=0)  # symmetric form keeps P exactly symmetric


def test_kalman_without_process_noise_is_rls_with_unit_forgetting():
    x, d = _signals(600, seed=5)
    k = Kalman(4, process_noise=0.0, measurement_noise=1.0, initial_covariance=100.0)
    r = RLS(4, forgetting_factor=1.0, regularization=0.01)
    np.testing.assert_allclose(k.run(x, d)[1], r.run(x, d)[1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(k.P_, r.P_, rtol=1e-12, atol=1e-15)


def test_kalman_tracks_a_jump_that_rls_without_forgetting_cannot():
    rng = np.random.default_rng(6)
    n = 4000
    x = rng.standard_normal(n)
    h1, h2 = np.array([1.0, 0.5]), np.array([-0.5, 0.8])
    d = np.concatenate([np.convolve(x, h1)[:2000], np.convolve(x, h2)[2000:n + 1][: n - 2000]])
    d += 0.01 * rng.standard_normal(n)
    k = Kalman(2, process_noise=1e-3, measurement_noise=1e-4, initial_covariance=1.0)
    r = RLS(2, forgetting_factor=1.0, regularization=0.01)
    k.run(x, d)
    r.run(x, d)
    assert np.linalg.norm(k.w_ - h2) < 0.05
    assert np.linalg.norm(r.w_ - h2) > 0.3


def test_fxlms_with_identity_secondary_path_is_lms_and_fxnlms_is_nlms():
    x, d = _signals(1000, seed=7)
    np.testing.assert_array_equal(FxLMS(4, 0.02, [1.0]).run(x, d)[1], LMS(4, 0.02).run(x, d)[1])
    np.testing.assert_allclose(FxNLMS(4, 0.3, [1.0], regularization=1e-6).run(x, d)[1],
                               NLMS(4, 0.3, regularization=1e-6).run(x, d)[1], rtol=1e-10, atol=1e-12)


def test_combined_reduces_to_its_parts():
    x, d = _signals(1000, seed=8)
    a = FxLMSNLMS(2, 1e-300, 0.05, S, regularization=1e-6).run(x, d)[1]
    b = FxNLMS(2, 0.05, S, regularization=1e-6).run(x, d)[1]
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# -- stability -------------------------------------------------------------------------------

def test_lms_step_size_outside_bound_is_an_error_stating_the_bound():
    x = 2.0 * np.random.default_rng(0).standard_normal(4000)
    power = float(np.mean(x * x))
    bound = 2 / (2 * power)
    assert lms_step_bound(2, power) == pytest.approx(bound)
    with pytest.raises(StabilityError, match=r"stability bound.*= %.4g" % bound):
        LMS(2, 1.2 * bound).run(x, x)
    LMS(2, 0.5 * bound).run(x, x)  # inside: runs
    with pytest.raises(StabilityError, match="0.25"):
        LMS(2, 0.3, input_power=4.0)


def test_other_parameter_ranges():
    with pytest.raises(StabilityError, match="0 < step_size < 2"):
        NLMS(2, 2.5)
    with pytest.raises(StabilityError, match="forgetting_factor"):
        RLS(2, 1.2)
    with pytest.raises(StabilityError, match="regularization"):
        RLS(2, 0.99, 0.0)
    with pytest.raises(StabilityError, match="measurement_noise"):
        Kalman(2, 1e-4, 0.0)
    with pytest.raises(StabilityError, match="mu2"):
        FxLMSNLMS(2, 0.01, 2.0, S)
    with pytest.raises(ValueError, match="n_taps"):
        LMS(0, 0.1)
    x = np.random.default_rng(1).standard_normal(500)
    with pytest.raises(StabilityError, match="filtered-x LMS stability bound"):
        FxLMS(2, 5.0, S).run(x, x)


def test_bad_signals_are_named():
    f = LMS(2, 0.01)
    with pytest.raises(ValueError, match="same length"):
        f.run(np.zeros(5), np.zeros(6))
    with pytest.raises(ValueError, match="'d' must be finite; sample 2"):
        f.run(np.zeros(4), np.array([0, 0, np.nan, 0.0]))


def test_divergence_stops_with_the_sample_index():
    # inside the (necessary) filtered-x bound, but a 5-sample actuator delay makes the loop unstable
    rng = np.random.default_rng(2)
    x = rng.standard_normal(20000)
    s = np.array([0, 0, 0, 0, 0, 1.0])
    f = FxLMS(2, 0.9, s)
    with pytest.raises(FilterDivergedError) as info:
        f.run(x, x)
    idx = info.value.index
    assert 0 < idx < x.size and f"sample {idx}" in str(info.value)
    g = FxLMS(2, 0.9, s)
    with pytest.raises(FilterDivergedError) as info2, np.errstate(over="ignore", invalid="ignore"):
        for i in range(x.size):
            g.update(x[i], x[i])
    assert info2.value.index == idx
