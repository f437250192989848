"""Benchmark: the Dask paths against the serial ones, same work, one run each (``make bench``).

* ``sweep: 4 quick runs of chapter 2``: ``tremorlab sweep`` on an embedded 2-worker
  ``LocalCluster`` (cluster start-up included) against the same 4 points run one after the other
  with ``tremorlab run``'s function.  Target: at least 1.7x on 2 cores.
* ``ch5: 250 repetitions``: :func:`tremorlab.learn.selection.evaluate_repeated` (the paper's
  250-repetition evaluation of one topology, chunks of 64 repetitions) serial against 2 workers
  (client already running).  Target: at least 1.7x.
* ``executor: per-task overhead``: 200 no-op tasks through :func:`tremorlab.parallel.pmap` with
  and without a client; the difference divided by 200 is the Dask path's cost per task.

``python bench/summary.py _build/bench.json`` prints each group as ratios to its fastest member.
"""

from __future__ import annotations

import numpy as np
import pytest

from tremorlab import parallel, run, sweep
from tremorlab.learn.mlp import Topology
from tremorlab.learn.selection import evaluate_repeated

distributed = pytest.importorskip("distributed")
SEEDS = [0, 1, 2, 3]


@pytest.fixture(scope="module")
def client(dask_local_client):
    return dask_local_client


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((32, 7))
    y = np.where(X[:, 0] + 0.7 * X[:, 1] + 0.5 * rng.standard_normal(32) > 0, "PD", "healthy")
    return X, y


def _serial_points(out):
    for s in SEEDS:
        run.run_chapter("02", parameters={"seed": s}, out=out / f"seed-{s}")


@pytest.mark.benchmark(group="sweep: 4 quick runs of chapter 2")
def test_serial_4_runs(benchmark, tmp_path):
    benchmark.pedantic(_serial_points, args=(tmp_path,), rounds=1, iterations=1)
    assert all(sweep.complete(tmp_path / f"seed-{s}") for s in SEEDS)


@pytest.mark.benchmark(group="sweep: 4 quick runs of chapter 2")
def test_dask_2_workers_4_runs(benchmark, tmp_path):
    table = benchmark.pedantic(sweep.sweep, args=("02", [("seed", "0..3")], tmp_path),
                               kwargs={"workers": 2, "log": lambda s: None}, rounds=1, iterations=1)
    assert len(table["points"]) == 4 and not table["failed"]


@pytest.mark.benchmark(group="ch5: 250 repetitions")
def test_repetitions_serial(benchmark, table):
    X, y = table
    ev = benchmark.pedantic(evaluate_repeated, args=(X, y, Topology(((12, "tansig"),))),
                            kwargs={"n_repeats": 250, "positive": "PD"}, rounds=1, iterations=1)
    assert ev.accuracy.shape == (250,)


@pytest.mark.benchmark(group="ch5: 250 repetitions")
def test_repetitions_2_workers(benchmark, table, client):
    X, y = table

    def on_cluster():
        with client.as_current():
            return evaluate_repeated(X, y, Topology(((12, "tansig"),)), n_repeats=250, positive="PD")

    ev = benchmark.pedantic(on_cluster, rounds=1, iterations=1)
    serial = evaluate_repeated(X, y, Topology(((12, "tansig"),)), n_repeats=250, positive="PD")
    assert np.array_equal(ev.accuracy, serial.accuracy, equal_nan=True)


def _noop(i):
    return i


@pytest.mark.benchmark(group="executor: per-task overhead (200 no-op tasks)")
def test_noop_tasks_serial(benchmark):
    assert benchmark(parallel.pmap, _noop, range(200), client=None) == list(range(200))


@pytest.mark.benchmark(group="executor: per-task overhead (200 no-op tasks)")
def test_noop_tasks_dask(benchmark, client):
    assert benchmark.pedantic(parallel.pmap, args=(_noop, range(200)), kwargs={"client": client},
                              rounds=3, iterations=1) == list(range(200))
