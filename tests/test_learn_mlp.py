"""The batched MLP: transfer functions, topology bookkeeping, XOR, batch == alone."""

import numpy as np
import pytest
import torch

from tremorlab.learn.mlp import ACTIVATIONS, BatchedMLP, Topology, activation


def test_transfer_functions_by_hand():
    z = torch.tensor([-2.0, 0.0, 0.5, 3.0])
    np.testing.assert_allclose(activation("logsig", z).numpy(), 1 / (1 + np.exp(-z.numpy())), rtol=1e-6)
    np.testing.assert_allclose(activation("tansig", z).numpy(), np.tanh(z.numpy()), rtol=1e-6)
    np.testing.assert_allclose(activation("purelin", z).numpy(), z.numpy())
    np.testing.assert_allclose(activation("satlins", z).numpy(), [-1.0, 0.0, 0.5, 1.0])
    with pytest.raises(ValueError, match="activation"):
        activation("relu", z)
    assert ACTIVATIONS == ("logsig", "tansig", "purelin", "satlins")


def test_topology_from_genome_and_size():
    # 3 layers requested, second has 0 neurons: it is absent
    top = Topology.from_genome(3, [10, 0, 5], [0, 1, 2])
    assert top.layers == ((10, "logsig"), (5, "purelin"))
    assert Topology.from_genome(1, [7, 30, 30], [3, 0, 0]).layers == ((7, "satlins"),)
    # 4 inputs -> 3 -> 2 classes: (4 + 1) * 3 + (3 + 1) * 2 = 23 weights and biases
    assert Topology(((3, "tansig"),)).n_params(4, 2) == 23
    with pytest.raises(ValueError):
        Topology(((0, "tansig"),))
    with pytest.raises(ValueError):
        Topology(((3, "relu"),))


def _xor(n_copies=10, seed=0):
    rng = np.random.default_rng(seed)
    base = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    X = np.repeat(base, n_copies, axis=0) + 0.05 * rng.standard_normal((4 * n_copies, 2))
    y = np.repeat([0, 1, 1, 0], n_copies)
    return X, y


def test_nonlinear_layer_solves_xor_a_linear_one_cannot():
    """No linear decision boundary gets more than 3 of the 4 XOR corners right."""
    X, y = _xor()
    train = np.ones((8, y.size), bool)
    acc_tansig = (BatchedMLP(Topology(((8, "tansig"),)), max_epochs=300, seed=0).fit(X, y, train).predict(X) == y).mean(1)
    acc_linear = (BatchedMLP(Topology(((8, "purelin"),)), max_epochs=300, seed=0).fit(X, y, train).predict(X) == y).mean(1)
    assert np.median(acc_tansig) == 1.0
    assert acc_linear.max() <= 0.75 + 1e-9


def test_batch_equals_each_repetition_alone():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 5))
    y = (X[:, 0] - X[:, 2] > 0).astype(int)
    tr = rng.random((4, 30)) < 0.7
    va = ~tr
    top = Topology(((6, "logsig"), (3, "satlins")))
    together = BatchedMLP(top, seed=7, max_epochs=60).fit(X, y, tr, va)
    p_all = together.predict_proba(X)
    # chunk=1: every repetition trains in a batch of its own
    alone = BatchedMLP(top, seed=7, max_epochs=60, chunk=1).fit(X, y, tr, va)
    np.testing.assert_allclose(alone.predict_proba(X), p_all, atol=1e-5)
    np.testing.assert_array_equal(alone.best_epoch_, together.best_epoch_)
    np.testing.assert_array_equal(alone.n_epochs_, together.n_epochs_)


def test_early_stopping_keeps_the_best_validation_epoch():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((40, 20))
    y = rng.integers(0, 2, 40)        # pure noise: validation loss soon rises
    tr = np.zeros((5, 40), bool)
    tr[:, :28] = True
    m = BatchedMLP(Topology(((30, "tansig"),)), patience=5, max_epochs=500, seed=0).fit(X, y, tr, ~tr)
    assert (m.n_epochs_ < 500).all()
    np.testing.assert_array_equal(m.n_epochs_ - m.best_epoch_, 5)   # stopped 5 epochs after its best


def test_deterministic_and_bad_input():
    X, y = _xor(3)
    tr = np.ones((2, y.size), bool)
    a = BatchedMLP(Topology(((4, "tansig"),)), max_epochs=20, seed=3).fit(X, y, tr).predict_proba(X)
    b = BatchedMLP(Topology(((4, "tansig"),)), max_epochs=20, seed=3).fit(X, y, tr).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    Xbad = X.copy()
    Xbad[2, 1] = np.nan
    with pytest.raises(ValueError, match="case 2, feature 1"):
        BatchedMLP(Topology(((4, "tansig"),))).fit(Xbad, y, tr)
    with pytest.raises(ValueError, match="train_mask"):
        BatchedMLP(Topology(((4, "tansig"),))).fit(X, y, tr[:, :5])
