"""Chapter 3: cost per new sample of the online tremor estimators, on one CPU thread.

Group ``tremor-online-per-sample``: the full-size PHTNet (4 x 400) forward path streamed one
sample at a time (state carried; target at most 2 ms per sample, 5x under the 10 ms sample
period at 100 Hz) beside the naive online use that re-runs the forward path over the last
400-sample window for every new sample (the peer a user would otherwise write), and beside
BMFLC, EBMFLC and WAKE ``update`` per sample.  The streamed output is checked against the
windowed forward output in the same run.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tremorlab.tremor import BMFLC, EBMFLC, WAKE  # noqa: E402
from tremorlab.tremor import phtnet as P  # noqa: E402

N_STREAM = 200          # timed single-sample calls per benchmark (every member times one sample)


@pytest.fixture(scope="module")
def full_model():
    P.set_determinism(0, threads=1)
    return P.PHTNet(P.PHTNetConfig(hidden_size=400, num_layers=4, window=400)).eval()


@pytest.fixture(scope="module")
def signal():
    t = np.arange(600) / 100.0
    return 0.5 + 0.2 * np.sin(2 * np.pi * 0.7 * t) + 0.1 * np.sin(2 * np.pi * 5.0 * t)


def test_bench_phtnet_streaming(benchmark, full_model, signal):
    benchmark.group = "tremor-online-per-sample"
    benchmark.extra_info["peer"] = "re-run the 400-sample window per sample"
    st = P.ForwardStreamer(full_model)
    st.run(signal[:400])                          # warm state
    benchmark.pedantic(st.update, args=(0.5,), rounds=N_STREAM, iterations=1, warmup_rounds=5)
    per_sample_ms = benchmark.stats.stats.median * 1e3
    benchmark.extra_info["ms_per_sample"] = per_sample_ms
    # equal to the windowed forward output for a stream starting at the window start
    yf, _ = P.predict(full_model, signal[:400])
    np.testing.assert_allclose(P.ForwardStreamer(full_model).run(signal[:400]), yf[0], atol=1e-4)
    assert per_sample_ms < 2.0, f"streaming costs {per_sample_ms:.2f} ms per sample (target <= 2 ms)"


def test_bench_phtnet_rerun_window(benchmark, full_model, signal):
    benchmark.group = "tremor-online-per-sample"
    x = torch.as_tensor(signal[:400][None, :], dtype=torch.float32)

    def one_sample():
        with torch.no_grad():
            full_model.forward_path(x)

    benchmark.pedantic(one_sample, rounds=5, iterations=1, warmup_rounds=1)
    benchmark.extra_info["ms_per_sample"] = benchmark.stats.stats.median * 1e3


@pytest.mark.parametrize("name, cls", [("bmflc", BMFLC), ("ebmflc", EBMFLC), ("wake", WAKE)])
def test_bench_comparator_update(benchmark, name, cls, signal):
    benchmark.group = "tremor-online-per-sample"
    f = cls()
    f.run(signal[:400])                           # compile and converge outside the timing
    benchmark.pedantic(f.update, args=(0.5,), rounds=N_STREAM, iterations=1, warmup_rounds=5)
    benchmark.extra_info["ms_per_sample"] = benchmark.stats.stats.median * 1e3
