"""Our adaptive filters' ``run`` beside padasip's on the same input (order 8, 100 000 samples).

Each algorithm is a benchmark group with two members, ``ours`` and ``padasip``; the
equality of the outputs (to 1e-9) is checked in the same run.  Target: ours at least 30x faster.
The second part times the whole Monte Carlo of chapter 2 (7 algorithms x 30 runs x 20 subjects x
4000 samples of the same size as the real signals; target under 30 s on one core).
"""

import numpy as np
import padasip as pa
import pytest

from tremorlab.adaptive import LMS, NLMS, RLS

N, ORDER = 100_000, 8


@pytest.fixture(scope="module")
def signals():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(N)
    h = rng.standard_normal(ORDER)
    d = np.convolve(x, h)[:N] + 0.01 * rng.standard_normal(N)
    U = np.zeros((N, ORDER))  # padasip's regressor rows: [x(n), x(n-1), ..., x(n-7)]
    for k in range(ORDER):
        U[k:, k] = x[: N - k]
    return x, d, U


CASES = {
    "lms": (lambda: LMS(ORDER, 0.01), lambda: pa.filters.FilterLMS(ORDER, mu=0.01, w="zeros")),
    "nlms": (lambda: NLMS(ORDER, 0.5, regularization=1e-3), lambda: pa.filters.FilterNLMS(ORDER, mu=0.5, eps=1e-3, w="zeros")),
    "rls": (lambda: RLS(ORDER, 0.999, 0.01), lambda: pa.filters.FilterRLS(ORDER, mu=0.999, eps=0.01, w="zeros")),
}


@pytest.mark.parametrize("impl", ["ours", "padasip"])
@pytest.mark.parametrize("algorithm", list(CASES))
def test_bench_filter(benchmark, signals, algorithm, impl):
    x, d, U = signals
    ours, peer = CASES[algorithm]
    benchmark.group = f"adaptive-{algorithm}-order{ORDER}-{N}"
    benchmark.extra_info["peer"] = "padasip"
    if impl == "ours":
        ours().run(x[:100], d[:100])  # compile outside the timing
        y, e = benchmark.pedantic(lambda: ours().run(x, d), rounds=5, iterations=1)
    else:
        y, e, _ = benchmark.pedantic(lambda: peer().run(d, U), rounds=1, iterations=1)
    y_ref, e_ref = ours().run(x, d)
    np.testing.assert_allclose(e, e_ref, rtol=0, atol=1e-9)


def test_bench_chapter_monte_carlo(benchmark):
    from tremorlab.adaptive import montecarlo as mc

    rng = np.random.default_rng(1)
    t = np.arange(4000) / 200.0
    X = np.stack([np.sin(2 * np.pi * rng.uniform(3, 7) * t) + 0.1 * rng.standard_normal(4000) for _ in range(20)])
    X /= X.std(axis=1, keepdims=True)
    mc.monte_carlo("rls", mc.PAPER_PARAMS["rls"], X[:1], n_runs=1)  # compile

    def whole():
        return [mc.monte_carlo(a, p, X, n_runs=30) for a, p in mc.PAPER_PARAMS.items()]

    benchmark.group = "chapter-02-monte-carlo"
    benchmark.pedantic(whole, rounds=1, iterations=1)
    assert benchmark.stats.stats.max < 30.0
