"""Benchmark: the chapter-4 features (ours) beside BDALab ``handwriting-features`` (the peer).

Same input for both: one 5-minute, 200 Hz sigma-lognormal phantom recording (60 000 samples), and
the 90 real children of ``drotar_dysgraphia_svc`` (whole sessions, ~2 min each at ~133 Hz; skipped
when the data are not there).

* ``test_ours_all_53``: all 53 features of one recording (target: < 0.5 s on one core).
* ``test_ours_common`` / ``test_peer_common``: the quantities both libraries compute, with the
  statistics mean / 95th percentile / std (the peer has no max): on-surface velocity, acceleration and jerk (from unsmoothed
  first differences), pressure, tilt, and the on-surface / in-air duration ratio.
* ``test_ours_all_53_children``: all 53 features of the 90 children (target: < 10 s; the issue asks
  for it on 2 cores, we do it on one).
* ``test_ours_common_children`` / ``test_peer_common_children``: the common quantities on the same
  90 sessions.
Run with ``make bench`` (or ``pytest bench/bench_features.py``); compare the means.
"""

from __future__ import annotations

import numpy as np
import pytest

from tremorlab.features import handwriting as hw
from tremorlab.features import kinematics as kin
from tremorlab.synth.handwriting import write_text, writer_profile


@pytest.fixture(scope="module")
def recording():
    prof = writer_profile("bench", "D", 3, np.random.default_rng(0))
    return write_text(prof, duration_s=300.0, rate_hz=200.0, seed=0)


def _stats(v):
    return float(np.mean(v)), float(np.percentile(v, 95)), float(np.std(v))


def ours_common(rec):
    d = kin.derivatives(rec)
    down = kin.pen_down_mask(rec)
    tx, ty = hw.tilt_xy(rec.azimuth[down], rec.altitude[down])
    return {"velocity": _stats(d["v"]), "acceleration": _stats(d["a"]), "jerk": _stats(d["j"]),
            "pressure": _stats(rec.pressure[down]), "tilt_x": _stats(tx), "tilt_y": _stats(ty),
            "surface_air_ratio": down.sum() / (~down).sum()}


def peer_common(rec):
    from handwriting_features.features import HandwritingFeatures
    from handwriting_sample import HandwritingSample

    sample = HandwritingSample(x=rec.x - rec.x.min(), y=rec.y - rec.y.min(), time=rec.t * 1000.0,
                               pen_status=rec.pen_down.astype(int), azimuth=rec.azimuth, tilt=rec.altitude,
                               pressure=rec.pressure, validate=False)
    f = HandwritingFeatures.from_sample(sample)
    st = ("mean", "percentile_95", "std")   # the peer has no "max"; its nearest statistic
    return {"velocity": f.velocity(axis="xy", in_air=False, statistics=st),
            "acceleration": f.acceleration(axis="xy", in_air=False, statistics=st),
            "jerk": f.jerk(axis="xy", in_air=False, statistics=st),
            "pressure": f.pressure(statistics=st), "tilt": f.tilt(in_air=False, statistics=st),
            "surface_air_ratio": f.ratio_of_writing_durations()}


@pytest.mark.benchmark(group="features: all 53, 5-min recording")
def test_ours_all_53(benchmark, recording):
    ext = hw.HandwritingFeatures().fit([recording])
    F = benchmark(lambda: ext.transform([recording]))
    assert F.shape == (1, 53) and np.isfinite(F).all()
    assert benchmark.stats.stats.mean < 0.5, "all 53 features of a 5-min recording must take < 0.5 s"


@pytest.mark.benchmark(group="features: those BDALab also computes")
def test_ours_common(benchmark, recording):
    out = benchmark(ours_common, recording)
    assert np.isfinite(out["velocity"]).all()


@pytest.mark.benchmark(group="features: those BDALab also computes")
def test_peer_common(benchmark, recording):
    out = benchmark.pedantic(peer_common, args=(recording,), rounds=3, iterations=1)
    ours = ours_common(recording)
    # same definition of velocity (units per ms there, per s here; the peer drops the last sample)
    np.testing.assert_allclose(np.asarray(out["velocity"])[0] * 1000.0, ours["velocity"][0], rtol=1e-3)


@pytest.fixture(scope="module")
def children():
    from tremorlab import data
    from tremorlab.io import dysgraphia as dg

    try:
        folder = data.where("drotar_dysgraphia_svc")
    except Exception:
        pytest.skip("drotar_dysgraphia_svc not available")
    return [c.recording for c in dg.load_cohort(folder).children]


@pytest.mark.benchmark(group="features: all 53, 90 children")
def test_ours_all_53_children(benchmark, children):
    def run():
        S = [hw.summarize(r) for r in children]
        return hw.HandwritingFeatures().fit(S).transform(S)

    F = benchmark.pedantic(run, rounds=3, iterations=1)
    assert F.shape == (len(children), 53)
    assert benchmark.stats.stats.mean < 10.0, "all 53 features of the 90 children must take < 10 s"


@pytest.mark.benchmark(group="features BDALab also computes: 90 children")
def test_ours_common_children(benchmark, children):
    out = benchmark.pedantic(lambda: [ours_common(r) for r in children], rounds=3, iterations=1)
    assert len(out) == len(children)


@pytest.mark.benchmark(group="features BDALab also computes: 90 children")
def test_peer_common_children(benchmark, children):
    out = benchmark.pedantic(lambda: [peer_common(r) for r in children], rounds=1, iterations=1)
    for r, o in zip(children[:5], out[:5]):
        np.testing.assert_allclose(np.asarray(o["velocity"])[0] * 1000.0, ours_common(r)["velocity"][0], rtol=1e-3)
