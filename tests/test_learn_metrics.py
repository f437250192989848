"""tremorlab.learn.metrics.confusion: the one confusion counting of the library."""

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix

from tremorlab.learn.metrics import confusion, seed_bootstrap, seed_mean_interval


def test_confusion_by_hand():
    cm = confusion([0, 0, 1, 1, 1, 2], [0, 1, 1, 1, 2, 2], range(3))
    assert cm.tolist() == [[1, 1, 0], [0, 2, 1], [0, 0, 1]]
    tn, fp, fn, tp = confusion([1, 1, 1, 0, 0, 0, 0], [1, 1, 0, 1, 0, 0, 0], (0, 1)).ravel()
    assert (tn, fp, fn, tp) == (3, 1, 1, 2)


@pytest.mark.parametrize("labels", [(0, 1), range(4), (0, 1, 2, 3, 4), (3, 0, 2), (1,)])
def test_confusion_equals_scikit_learn(labels):
    """Same counts, layout and dtype as sklearn's confusion_matrix, also with labels out of order and samples
    whose label is not listed (not counted)."""
    rng = np.random.default_rng(0)
    for _ in range(20):
        y, pred = rng.integers(-1, 6, 200), rng.integers(-1, 6, 200)
        ours = confusion(y, pred, labels)
        ref = confusion_matrix(y, pred, labels=list(labels))
        assert ours.dtype == ref.dtype and np.array_equal(ours, ref)


def test_confusion_equals_the_copies_it_replaced():
    """The tremor benchmark's np.add.at count (labels 0..3) and the dysgraphia code's boolean counts."""
    rng = np.random.default_rng(1)
    y, pred = rng.integers(0, 4, 500), rng.integers(0, 4, 500)
    old = np.zeros((4, 4), dtype=int)
    np.add.at(old, (y, pred), 1)
    assert np.array_equal(confusion(y, pred, range(4)), old)
    yb, pb = y % 2, pred % 2
    tn, fp, fn, tp = confusion(yb, pb, (0, 1)).ravel()
    assert (tp, tn, fp, fn) == (np.sum((yb == 1) & (pb == 1)), np.sum((yb == 0) & (pb == 0)),
                                np.sum((yb == 0) & (pb == 1)), np.sum((yb == 1) & (pb == 0)))


def test_confusion_rejects_bad_input():
    with pytest.raises(ValueError, match="differ in length"):
        confusion([0, 1], [0], (0, 1))
    with pytest.raises(ValueError, match="distinct"):
        confusion([0, 1], [0, 1], (0, 0))


def test_seed_bootstrap_mean_and_per_seed_known():
    from tremorlab.learn.metrics import seed_bootstrap

    # two seeds, four units: seed 0 scores 1 on every unit, seed 1 scores 3
    x = np.array([[1.0, 3.0]] * 4)
    r = seed_bootstrap(lambda x: float(x.mean()), {"x": x}, n_boot=400, seed=1)
    assert r.estimate == pytest.approx(2.0) and r.per_seed == (1.0, 3.0)
    # units are identical, so all the spread is the seeds': resampled seed pairs give 1, 2 or 3
    assert r.low == pytest.approx(1.0) and r.high == pytest.approx(3.0)
    est, lo, hi = r  # unpacks like the one-level intervals
    assert (est, lo, hi) == (r.estimate, r.low, r.high)
    assert r.signs_agree
    assert not seed_bootstrap(lambda x: float(x.mean()), {"x": x - 2.0}, n_boot=50).signs_agree


def test_seed_bootstrap_includes_seed_variance_beyond_units():
    from tremorlab.learn.metrics import group_bootstrap, seed_bootstrap

    rng = np.random.default_rng(0)
    units = rng.normal(0.0, 1.0, 60)
    seeds = np.array([-2.0, 0.0, 2.0, 1.0, -1.0])        # a seed effect as large as the unit spread
    x = units[:, None] + seeds[None, :]
    two = seed_bootstrap(lambda x: float(x.mean()), {"x": x}, n_boot=2000, seed=0)
    one = group_bootstrap(lambda x: float(x.mean()), {"x": x.mean(axis=1)}, n_boot=2000, seed=0)
    assert (two.high - two.low) > 2.0 * (one[2] - one[1])  # the seed level widens the interval
    assert two.low < 0.0 < two.high


def test_seed_bootstrap_groups_shared_labels_and_errors():
    from tremorlab.learn.metrics import seed_bootstrap

    y = np.array([0, 0, 1, 1, 1, 0])
    pred = np.stack([y, 1 - y], axis=1)               # seed 0 always right, seed 1 always wrong
    r = seed_bootstrap(lambda y, p: float((p == y[:, None]).mean()), {"y": y, "p": pred},
                       groups=[0, 0, 1, 1, 2, 2], n_boot=300)
    assert r.per_seed == (1.0, 0.0) and r.estimate == pytest.approx(0.5)
    with pytest.raises(ValueError, match="seed columns"):
        seed_bootstrap(lambda a, b: 0.0, {"a": np.zeros((3, 2)), "b": np.zeros((3, 3))})
    with pytest.raises(ValueError, match="one row per case"):
        seed_bootstrap(lambda a, b: 0.0, {"a": np.zeros((3, 2)), "b": np.zeros(4)})
    with pytest.raises(ValueError, match=r"\(n_cases, n_seeds\)"):
        seed_bootstrap(lambda a: 0.0, {"a": np.zeros(3)})


def test_training_seeds_and_seed_columns():
    from tremorlab.learn.metrics import seed_columns, training_seeds

    assert training_seeds(7, 3, 1000) == [7, 1007, 2007]
    assert training_seeds(0, 1, 10) == [0]
    with pytest.raises(ValueError, match="n_seeds"):
        training_seeds(0, 0, 10)
    assert seed_columns(np.arange(4)).shape == (4, 1)
    assert seed_columns(np.zeros((4, 3))).shape == (4, 3)
    with pytest.raises(ValueError, match="n_cases"):
        seed_columns(np.zeros((2, 2, 2)))


def test_seed_mean_interval_known_cases():
    rng = np.random.default_rng(3)
    # the same value for every unit and seed: no width
    r = seed_mean_interval(np.full((10, 3), 0.25))
    assert r["mean"] == pytest.approx(0.25) and r["low"] == pytest.approx(0.25) and r["high"] == pytest.approx(0.25)
    # one seed: close to the Student-t interval over units (bootstrap se = sqrt((n-1)/n) x the usual one)
    x = rng.standard_normal(30)
    r = seed_mean_interval(x[:, None], 0.95, n_boot=20000)
    from scipy import stats
    h_t = stats.t.ppf(0.975, 29) * x.std(ddof=1) / np.sqrt(30)
    assert r["mean"] == pytest.approx(x.mean())
    assert (r["high"] - r["low"]) / 2 == pytest.approx(h_t * np.sqrt(29 / 30), rel=0.05)
    assert r["per_seed"].shape == (1,)
    # seeds that disagree widen the interval beyond the units' spread
    units = rng.normal(0, 0.1, (30, 1))
    same = seed_mean_interval(np.repeat(units, 4, axis=1))
    spread = seed_mean_interval(units + np.array([[-1.0, -0.5, 0.5, 1.0]]))
    assert spread["high"] - spread["low"] > 3 * (same["high"] - same["low"])
    assert spread["per_seed"] == pytest.approx(units.mean() + np.array([-1.0, -0.5, 0.5, 1.0]))
    # trailing axes are independent
    r = seed_mean_interval(np.stack([np.full((5, 2), 1.0), np.full((5, 2), -1.0)], axis=-1))
    assert r["mean"] == pytest.approx([1.0, -1.0]) and r["per_seed"].shape == (2, 2)
    with pytest.raises(ValueError):
        seed_mean_interval(np.ones(5))


def test_seed_mean_interval_agrees_with_seed_bootstrap():
    rng = np.random.default_rng(4)
    d = rng.normal(0, 1, (40, 1)) + rng.normal(0, 0.5, (1, 5)) + rng.normal(0, 0.2, (40, 5))
    ours = seed_mean_interval(d, 0.95, n_boot=4000)
    shared = seed_bootstrap(lambda d: float(np.mean(d)), {"d": d}, n_boot=4000)
    assert ours["mean"] == pytest.approx(shared.estimate)
    assert (ours["high"] - ours["low"]) == pytest.approx(shared.high - shared.low, rel=0.2)
    assert list(ours["per_seed"]) == pytest.approx(shared.per_seed)
