"""Chapter 6: windows per second of each tremor estimator on the same rated windows.

Group ``tremor-benchmark-windows``: 64 synthetic 2.56-s, 3-axis windows at 50 Hz (8 segments of
8 windows; a 5 Hz tremor on a 0.5 Hz voluntary motion, no real data needed) through each
estimator of :mod:`tremorlab.tremor.benchmark`, on one CPU thread.  The peer a user would
otherwise write for band power is ``scipy.signal.welch`` per window and axis (same windows, same
band); it is benchmarked beside ours and the two agree on the band's share of the power ordering.
``extra_info["windows_per_s"]`` is the figure the chapter reports.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tremorlab.io.severity import SeverityWindows  # noqa: E402
from tremorlab.tremor import benchmark as B  # noqa: E402

N_SEG, PER = 8, 8


@pytest.fixture(scope="module")
def windows():
    rng = np.random.default_rng(0)
    t = np.arange(PER * 128) / 50.0
    xs = []
    for k in range(N_SEG):
        a = 0.2 + 0.3 * k
        s = a * np.sin(2 * np.pi * 5 * t + rng.uniform(0, 6))[:, None] * np.array([1.0, 0.6, 0.3]) \
            + 2.0 * np.sin(2 * np.pi * 0.5 * t)[:, None] + 0.05 * rng.standard_normal((t.size, 3))
        w = s.reshape(PER, 128, 3)
        xs.append(w - w.mean(axis=1, keepdims=True))
    return SeverityWindows("bench", np.concatenate(xs), np.repeat(np.arange(N_SEG) % 4, PER),
                           np.repeat(np.arange(N_SEG), PER), np.tile(np.arange(PER), N_SEG), "m/s^2")


@pytest.fixture(scope="module")
def model():
    from tremorlab.tremor import phtnet as P

    P.set_determinism(0, threads=1)
    return P.PHTNet(P.PHTNetConfig(hidden_size=16, num_layers=1, window=256)).eval()


@pytest.mark.parametrize("name", ["identity", "band power", "BMFLC", "EBMFLC", "WAKE", "PHTNet forward"])
def test_bench_estimator(benchmark, windows, model, name):
    benchmark.group = "tremor-benchmark-windows"
    torch.set_num_threads(1)
    B.run_estimators(windows, model, which=(name,))            # compile / warm up
    rounds = 3 if name in B.STREAMING else 10
    benchmark.pedantic(B.run_estimators, args=(windows, model), kwargs={"which": (name,)}, rounds=rounds,
                       iterations=1)
    wps = windows.n_windows / benchmark.stats.stats.median
    benchmark.extra_info["windows_per_s"] = wps
    benchmark.extra_info["note"] = "PHTNet forward includes the backward path (one batch)" if "PHTNet" in name else ""
    assert wps > 10


def test_bench_band_power_welch_peer(benchmark, windows):
    """The peer: scipy.signal.welch per window (one segment = the window, Hann), 3 axes summed."""
    from scipy import signal as sps

    benchmark.group = "tremor-benchmark-windows"

    def peer():
        f, p = sps.welch(windows.x, fs=50.0, window="hann", nperseg=128, axis=1)
        p = p.sum(axis=2)
        band = (f >= 3) & (f <= 12)
        return np.sqrt(np.trapezoid(p[:, band], f[band], axis=1))

    benchmark.pedantic(peer, rounds=10, iterations=1)
    benchmark.extra_info["windows_per_s"] = windows.n_windows / benchmark.stats.stats.median
    ours = B.band_power_features(windows.x, 50.0)["amplitude"]
    rho = np.corrcoef(np.argsort(np.argsort(ours)), np.argsort(np.argsort(peer())))[0, 1]
    assert rho > 0.99
