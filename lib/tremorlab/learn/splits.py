"""Splits that keep every subject on one side."""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold


def subject_split(subjects, labels, fractions=(0.7, 0.15, 0.15), seed: int = 0) -> list[np.ndarray]:
    """Split case indices into parts by subject, stratified by each subject's (majority) label.

    Every subject's cases land in exactly one part.  Subjects of each label are shuffled and
    dealt to the parts in proportion to ``fractions`` (rounded, each part >= 1 subject per label
    where there are enough subjects).

    Returns
    -------
    list of index arrays, one per fraction.
    """
    subjects, labels = np.asarray(subjects), np.asarray(labels)
    if subjects.shape != labels.shape:
        raise ValueError("subjects and labels must have the same length")
    fr = np.asarray(fractions, dtype=float)
    if (fr <= 0).any() or not np.isclose(fr.sum(), 1.0):
        raise ValueError(f"fractions must be positive and sum to 1, got {fractions}")
    rng = np.random.default_rng(seed)
    uniq = np.unique(subjects)
    subj_label = {}
    for s in uniq:
        vals, counts = np.unique(labels[subjects == s], return_counts=True)
        subj_label[s] = vals[np.argmax(counts)]
    parts: list[list] = [[] for _ in fr]
    for lab in np.unique(list(subj_label.values())):
        group = np.array([s for s in uniq if subj_label[s] == lab])
        rng.shuffle(group)
        bounds = np.round(np.cumsum(fr) * len(group)).astype(int)
        start = 0
        for k, stop in enumerate(bounds):
            parts[k].extend(group[start:stop])
            start = stop
    return [np.flatnonzero(np.isin(subjects, p)) for p in parts]


def grouped_folds(labels, groups, n_splits: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(train, test)`` index pairs of K folds of whole groups (patients, segments), stratified by label.

    scikit-learn's ``StratifiedGroupKFold`` (shuffled, ``random_state=seed``); checked: no group
    lies on both sides of a fold.
    """
    labels, groups = np.asarray(labels), np.asarray(groups)
    if labels.shape != groups.shape:
        raise ValueError(f"labels and groups must have one entry per case, got {labels.shape} and {groups.shape}")
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    folds = list(cv.split(np.zeros((labels.size, 1)), labels, groups))
    for tr, te in folds:
        if np.intersect1d(groups[tr], groups[te]).size:
            raise AssertionError("a group is on both sides of a fold")
    return folds
