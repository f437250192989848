"""Benchmark: the Dask paths against the serial ones, same work, one run each (``make bench``).

* ``sweep: 4 quick runs of chapter 2``: ``tremorlab sweep`` on a running 2-worker
  ``LocalCluster`` against the same 4 points run one after the other with ``tremorlab run``'s
  function.  Target: at least 1.7x on 2 cores.  ``test_local_cluster_start`` times what
  ``--workers 2`` adds once per sweep: starting and closing the cluster.
* ``ch5: the paper's 250 repetitions``: the six cases of the paper protocol (250 repetitions
  each, a small genetic search) serial against 2 workers (client already running).
  Target: at least 1.7x.
* ``executor: per-task overhead``: 200 no-op tasks through :func:`tremorlab.parallel.pmap` with
  and without a client; the difference divided by 200 is the Dask path's cost per task.

``python bench/summary.py _build/bench.json`` prints each group as ratios to its fastest member.
"""

from __future__ import annotations

import numpy as np
import pytest

from tremorlab import parallel, run, sweep

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
def test_dask_2_workers_4_runs(benchmark, tmp_path, client):
    address = client.scheduler.address
    table = benchmark.pedantic(sweep.sweep, args=("02", [("seed", "0..3")], tmp_path),
                               kwargs={"scheduler": address, "log": lambda s: None}, rounds=1, iterations=1)
    assert len(table["points"]) == 4 and not table["failed"]


def _start_and_close():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       host="127.0.0.1")
    cluster.close()


@pytest.mark.benchmark(group="sweep: the cost of --workers 2 (cluster start and close)")
def test_local_cluster_start(benchmark):
    benchmark.pedantic(_start_and_close, rounds=1, iterations=1)


def _cases(X, y):
    from tremorlab.learn.protocols import run_cases

    tables = {t: (X, [f"f{i}" for i in range(X.shape[1])]) for t in ("spiral", "l_small", "l_large")}
    return run_cases(tables, y, ga={"pop_size": 4, "n_gen": 2, "n_repeats": 10, "upper": [2, 8, 8, 8, 3, 3, 3]},
                     n_repeats=250, positive="PD")


@pytest.mark.benchmark(group="ch5: the paper's 250 repetitions, six cases")
def test_repetitions_serial(benchmark, table):
    X, y = table
    res = benchmark.pedantic(_cases, args=(X, y), rounds=1, iterations=1)
    assert all(r.evaluation.accuracy.shape == (250,) for r in res.values())


@pytest.mark.benchmark(group="ch5: the paper's 250 repetitions, six cases")
def test_repetitions_2_workers(benchmark, table, client):
    X, y = table
    client.run(lambda: __import__("torch").zeros(1))  # workers already hold torch, as in a running cluster

    def on_cluster():
        with client.as_current():
            return _cases(X, y)

    res = benchmark.pedantic(on_cluster, rounds=1, iterations=1)
    serial = _cases(X, y)
    assert all(np.array_equal(res[c].evaluation.accuracy, serial[c].evaluation.accuracy, equal_nan=True) for c in res)


def _noop(i):
    return i


@pytest.mark.benchmark(group="executor: per-task overhead (200 no-op tasks)")
def test_noop_tasks_serial(benchmark):
    assert benchmark(parallel.pmap, _noop, range(200), client=None) == list(range(200))


@pytest.mark.benchmark(group="executor: per-task overhead (200 no-op tasks)")
def test_noop_tasks_dask(benchmark, client):
    assert benchmark.pedantic(parallel.pmap, args=(_noop, range(200)), kwargs={"client": client},
                              rounds=3, iterations=1) == list(range(200))
