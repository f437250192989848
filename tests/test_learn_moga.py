"""Topology search (pymoo NSGA-II), Gini selection, the repeated evaluation and the protocols."""

import numpy as np
import pytest

from tremorlab.learn.mlp import Topology
from tremorlab.learn.moga import GENOME_UPPER, decode, search_topology
from tremorlab.learn.protocols import nested_protocol
from tremorlab.learn.repeated import binary_metrics, error_fitness, evaluate_repeated, repetition_masks
from tremorlab.learn.selection import gini_impurity, gini_select


def test_decode_the_papers_genome():
    assert decode([1, 256, 255, 255, 0, 1, 2]).layers == ((256, "logsig"),)
    assert decode([2, 10, 0, 5, 0, 1, 2]).layers == ((10, "logsig"),)          # layer 2 has 0 neurons
    assert decode([3, 10, 0, 5, 1, 1, 3]).layers == ((10, "tansig"), (5, "satlins"))
    assert GENOME_UPPER.tolist() == [3, 256, 255, 255, 3, 3, 3]
    with pytest.raises(ValueError, match="genome"):
        decode([4, 10, 0, 0, 0, 0, 0])
    with pytest.raises(ValueError, match="genome"):
        decode([1, 0, 0, 0, 0, 0, 0])


def test_nsga2_finds_a_known_optimum():
    """A fitness with a known minimum (one tansig layer of 37 neurons) and no training."""
    calls = []

    def fitness(top: Topology) -> float:
        calls.append(top)
        n1, a1 = top.layers[0]
        return abs(n1 - 37) / 256 + (0.0 if a1 == "tansig" else 0.3) + 0.2 * (len(top.layers) - 1)

    X = np.zeros((10, 4))
    y = np.repeat([0, 1], 5)
    res = search_topology(X, y, fitness=fitness, pop_size=30, n_gen=25, seed=0)
    assert res.best.layers[0][1] == "tansig" and len(res.best.layers) == 1
    assert abs(res.best.layers[0][0] - 37) <= 3
    assert res.best_error <= 3 / 256 + 1e-12
    # Pareto front sorted by error, sizes decreasing along it; each topology trained once
    errs = [e for _, e, _ in res.pareto]
    assert errs == sorted(errs)
    assert len(calls) == res.n_evaluations == len(set(calls)) <= res.n_requests
    assert [h["generation"] for h in res.history] == list(range(1, 26))


def test_gini_by_hand_and_selection_of_the_informative_feature():
    assert gini_impurity([5, 5]) == pytest.approx(0.5)
    assert gini_impurity([10, 0]) == 0.0
    assert gini_impurity([1, 1, 1, 1]) == pytest.approx(0.75)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 12))
    y = (X[:, 3] > 0.1).astype(int)            # one split on feature 3 separates the classes
    idx, imp = gini_select(X, y)
    assert idx.tolist() == [3] and imp.tolist() == [1.0]
    y2 = ((X[:, 3] > 0) & (X[:, 7] > 0)).astype(int)
    idx2, imp2 = gini_select(X, y2)
    assert set(idx2[:2].tolist()) == {3, 7} and np.isclose(imp2.sum(), 1.0)


def test_binary_metrics_by_hand():
    y = np.array(["PD", "PD", "HC", "HC"])
    pred = np.array([["PD", "HC", "HC", "PD"], ["PD", "PD", "HC", "HC"]])
    m = binary_metrics(y, pred, np.ones((2, 4), bool), "PD")
    np.testing.assert_allclose(m["accuracy"], [0.5, 1.0])
    np.testing.assert_allclose(m["sensitivity"], [0.5, 1.0])
    np.testing.assert_allclose(m["specificity"], [0.5, 1.0])
    np.testing.assert_allclose(m["confusion_pct"][0], [[25, 25], [25, 25]])
    np.testing.assert_allclose(m["confusion_pct"][1], [[50, 0], [0, 50]])
    only_pd = binary_metrics(y, pred, np.array([[1, 1, 0, 0], [1, 1, 0, 0]], bool), "PD")
    assert np.isnan(only_pd["specificity"]).all()         # no negatives scored: undefined, not 0


def test_repetition_masks_partition_and_stratify():
    y = np.array([0] * 11 + [1] * 21)
    tr, va, te = repetition_masks(y, 20, seed=3)
    assert ((tr.astype(int) + va + te) == 1).all()
    for part in (tr, va, te):
        assert (part[:, y == 0].sum(1) >= 1).all() and (part[:, y == 1].sum(1) >= 1).all()
    assert not np.array_equal(te[0], te[1])


def test_evaluate_repeated_on_separable_data():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((32, 3))
    y = np.where(X[:, 0] + 0.2 * np.sign(X[:, 0]) > 0, "PD", "HC")
    ev = evaluate_repeated(X, y, Topology(((4, "tansig"),)), n_repeats=30, seed=0, positive="PD")
    s = ev.summary()
    assert s["n_repeats"] == 30 and s["accuracy_mean"] > 0.9
    assert np.allclose(ev.confusion_pct.sum(axis=(1, 2)), 100.0)
    # the kept predictions and test parts give back each repetition's accuracy
    assert ev.predictions.shape == ev.test_mask.shape == (30, 32)
    hit = (ev.predictions == y[None, :]) & ev.test_mask
    assert np.allclose(hit.sum(1) / ev.test_mask.sum(1), ev.accuracy)
    # each subject's share of correct answers over the repetitions that tested it, counted by hand
    # (two repetitions leave some subjects untested: theirs is NaN)
    for e in (ev, evaluate_repeated(X, y, Topology(((4, "tansig"),)), n_repeats=2, seed=1, positive="PD")):
        hit = (e.predictions == y[None, :]) & e.test_mask
        n_tested = e.test_mask.sum(0)
        expected = np.where(n_tested > 0, hit.sum(0) / np.maximum(n_tested, 1), np.nan)
        np.testing.assert_allclose(e.subject_correct(y), expected, equal_nan=True)
    assert np.isnan(expected).any() and not np.isnan(expected).all()
    with pytest.raises(ValueError, match="exactly 2 classes"):
        evaluate_repeated(X, np.arange(32) % 3, Topology(((2, "tansig"),)), n_repeats=2)


def test_nested_protocol_is_not_fooled_by_noise():
    """Labels independent of the features: an unbiased protocol must stay near chance."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((32, 30))
    y = np.array([0] * 16 + [1] * 16)
    res = nested_protocol(X, y, [f"f{i}" for i in range(30)], select=True, n_folds=4, n_repeats=10,
                          ga=dict(pop_size=4, n_gen=1, n_repeats=4, upper=[2, 16, 16, 16, 3, 3, 3]), seed=0)
    s = res.summary()
    assert len(res.topologies) == 4 and len(res.selected) == 4
    assert 0.25 < s["accuracy_mean"] < 0.75


def test_nested_protocol_predicts_the_also_rows_with_the_same_networks():
    """``also`` rows go through each fold's networks; the ordinary predictions do not depend on them."""
    rng = np.random.default_rng(3)
    y = np.array(["HC"] * 12 + ["PD"] * 12)
    X = rng.standard_normal((24, 4)) + 3.0 * (y == "PD")[:, None]
    ga = dict(pop_size=4, n_gen=1, n_repeats=3, upper=[1, 8, 8, 8, 3, 3, 3])
    kw = dict(select=False, ga=ga, n_folds=3, n_repeats=6, positive="PD", seed=1)
    plain = nested_protocol(X, y, list("abcd"), **kw)
    assert plain.also_predictions is None
    also = X.copy()
    also[:12] += 3.0                       # the healthy rows moved onto the PD cloud
    res = nested_protocol(X, y, list("abcd"), also=also, **kw)
    assert np.array_equal(res.predictions, plain.predictions)
    assert res.also_predictions.shape == res.predictions.shape
    assert np.array_equal(res.also_predictions[:, 12:], res.predictions[:, 12:])  # unchanged rows
    assert (res.also_predictions[:, :12] == "PD").mean() > (res.predictions[:, :12] == "PD").mean() + 0.5
    with pytest.raises(ValueError, match="shape"):
        nested_protocol(X, y, list("abcd"), also=X[:, :3], **kw)


def test_error_fitness_is_one_minus_the_mean_repeated_accuracy():
    rng = np.random.default_rng(1)
    y = np.repeat(np.array(["HC", "PD"]), 16)
    X = rng.normal(size=(32, 3)) + (y == "PD")[:, None] * 3.0
    top = Topology(((3, "tansig"),))
    fit = error_fitness(X, y, n_repeats=5, seed=4)
    direct = evaluate_repeated(X, y, top, n_repeats=5, seed=4)
    assert fit(top) == pytest.approx(1.0 - float(np.nanmean(direct.accuracy)))
    assert fit(top) < 0.2  # well-separated classes
