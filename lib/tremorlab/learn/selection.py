"""Gini feature selection (Loconsole et al. 2019, "Feature selection and classification").

A classification tree grown with Gini's diversity index, :math:`G = 1 - \\sum_k p_k^2` of the
class shares ``p_k`` in a node; the features the tree splits on (non-zero impurity decrease) are
kept, most important first (:func:`gini_select`).  The protocols that use it are in
:mod:`tremorlab.learn.protocols`, the repeated evaluation in :mod:`tremorlab.learn.repeated`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["gini_impurity", "gini_select"]


def gini_impurity(counts) -> float:
    """Gini's diversity index ``1 - sum p_k^2`` of class counts."""
    c = np.asarray(counts, dtype=float)
    if c.sum() <= 0:
        raise ValueError("counts must sum to a positive number")
    p = c / c.sum()
    return float(1.0 - np.sum(p * p))


def gini_select(X, y, names=None, seed: int = 0, max_depth: int | None = None,
                min_samples_leaf: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Features used by a Gini classification tree, most important first.

    Returns
    -------
    (indices, importances) of the selected features (importance = normalised total Gini
    decrease, > 0), sorted by decreasing importance (ties: lower index first).
    """
    from sklearn.tree import DecisionTreeClassifier

    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, d) and y (n,), got {X.shape} and {y.shape}")
    if names is not None and len(names) != X.shape[1]:
        raise ValueError(f"{len(names)} names for {X.shape[1]} features")
    tree = DecisionTreeClassifier(criterion="gini", random_state=seed, max_depth=max_depth,
                                  min_samples_leaf=min_samples_leaf).fit(X, y)
    imp = tree.feature_importances_
    idx = np.flatnonzero(imp > 0)
    order = np.lexsort((idx, -imp[idx]))
    return idx[order], imp[idx][order]
