"""Benchmark: the chapter-5 classifier evaluation, ours (batched torch MLP) beside scikit-learn.

Same input for both: 32 subjects x 7 features (a case-6-sized table), one hidden layer of 12
tansig neurons, 70/15/15 % subject splits with early stopping on the validation part.

* ``test_ours_250_repetitions`` / ``test_peer_250_repetitions``: the paper's 250-repetition
  evaluation of one topology; ours trains the 250 networks as one batch, the peer is a loop of
  ``sklearn.neural_network.MLPClassifier`` fits (tanh, early stopping on a 15 % validation part).
* ``test_ours_ga_generation`` / ``test_peer_ga_generation``: one NSGA-II generation (population
  8, 6 repetitions per fitness), with our batched fitness or with the scikit-learn loop as fitness.

Run with ``make bench`` (or ``pytest bench/bench_moga.py``); compare the medians.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tremorlab.learn.mlp import Topology
from tremorlab.learn.moga import search_topology
from tremorlab.learn.repeated import binary_metrics, error_fitness, evaluate_repeated, repetition_masks

TOPOLOGY = Topology(((12, "tansig"),))


@pytest.fixture(scope="module")
def data():
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((32, 7))
    y = np.where(X[:, 0] + 0.7 * X[:, 1] + 0.5 * rng.standard_normal(32) > 0, "PD", "healthy")
    return X, y


def peer_evaluate(X, y, topology, n_repeats, seed=0):
    from sklearn.neural_network import MLPClassifier

    tr, va, te = repetition_masks(y, n_repeats, seed=seed)
    pred = np.empty((n_repeats, y.size), dtype=y.dtype)
    act = {"tansig": "tanh", "logsig": "logistic", "purelin": "identity"}
    for r in range(n_repeats):
        fit = tr[r] | va[r]
        clf = MLPClassifier(hidden_layer_sizes=topology.sizes(), activation=act[topology.layers[0][1]],
                            early_stopping=True, validation_fraction=va[r].sum() / fit.sum(), max_iter=200,
                            random_state=r)
        clf.fit(X[fit], y[fit])
        pred[r] = clf.predict(X)
    return binary_metrics(y, pred, te, "PD")["accuracy"]


@pytest.mark.benchmark(group="ch5: 250-repetition evaluation")
def test_ours_250_repetitions(benchmark, data):
    X, y = data
    ev = benchmark.pedantic(evaluate_repeated, args=(X, y, TOPOLOGY), kwargs={"n_repeats": 250, "positive": "PD"},
                            rounds=3, iterations=1)
    assert ev.accuracy.shape == (250,) and np.nanmean(ev.accuracy) > 0.6


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.benchmark(group="ch5: 250-repetition evaluation")
def test_peer_250_repetitions(benchmark, data):
    X, y = data
    acc = benchmark.pedantic(peer_evaluate, args=(X, y, TOPOLOGY, 250), rounds=1, iterations=1)
    assert acc.shape == (250,)


def _ga(X, y, fitness=None):
    fitness = error_fitness(X, y, n_repeats=6, seed=0) if fitness is None else fitness
    return search_topology(X, y, fitness=fitness, pop_size=8, n_gen=1, seed=0, upper=[3, 64, 63, 63, 3, 3, 3])


@pytest.mark.benchmark(group="ch5: one NSGA-II generation")
def test_ours_ga_generation(benchmark, data):
    X, y = data
    res = benchmark.pedantic(_ga, args=(X, y), rounds=2, iterations=1)
    assert res.n_evaluations >= 1


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.benchmark(group="ch5: one NSGA-II generation")
def test_peer_ga_generation(benchmark, data):
    X, y = data

    def fitness(top):
        if any(a == "satlins" for _, a in top.layers) or len({a for _, a in top.layers}) > 1:
            top = Topology(tuple((n, "tansig") for n, _ in top.layers))  # sklearn: one activation, no satlins
        return 1.0 - float(np.nanmean(peer_evaluate(X, y, top, 6)))

    res = benchmark.pedantic(_ga, args=(X, y, fitness), rounds=1, iterations=1)
    assert res.n_evaluations >= 1
