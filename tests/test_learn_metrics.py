"""tremorlab.learn.metrics.confusion: the one confusion counting of the library."""

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix

from tremorlab.learn.metrics import confusion


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
