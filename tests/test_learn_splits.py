"""Splits that keep every subject (patient, segment) on one side."""

import numpy as np
import pytest
from sklearn.model_selection import StratifiedGroupKFold

from tremorlab.learn.splits import grouped_folds, subject_split


def test_grouped_folds_are_sklearns_and_keep_groups_whole():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(20), rng.integers(1, 6, 20))
    labels = (groups % 3 == 0).astype(int)
    folds = grouped_folds(labels, groups, 4, seed=7)
    ref = StratifiedGroupKFold(4, shuffle=True, random_state=7).split(np.zeros((labels.size, 3)), labels, groups)
    for (tr, te), (rtr, rte) in zip(folds, ref):
        assert np.array_equal(tr, rtr) and np.array_equal(te, rte)
        assert not set(groups[tr]) & set(groups[te])
    assert np.array_equal(np.sort(np.concatenate([te for _, te in folds])), np.arange(labels.size))


def test_grouped_folds_refuse_mismatched_inputs():
    with pytest.raises(ValueError, match="one entry per case"):
        grouped_folds([0, 1, 0], [1, 2], 2)


def test_subject_split_keeps_subjects_whole_and_stratifies():
    subjects = np.repeat(np.arange(30), 3)
    labels = (subjects < 10).astype(int)
    parts = subject_split(subjects, labels, fractions=(0.6, 0.2, 0.2), seed=1)
    seen = [set(subjects[p]) for p in parts]
    assert all(not (a & b) for i, a in enumerate(seen) for b in seen[i + 1:])
    assert sum(len(p) for p in parts) == subjects.size
    assert all(labels[p].min() == 0 and labels[p].max() == 1 for p in parts)  # both classes in every part
