"""Gini feature selection, the repeated evaluation of a topology, and the two protocols.

Loconsole et al. (2019), sections "Feature selection and classification" and "Experimental
data processing description":

* **feature selection** -- a classification tree grown with Gini's diversity index,
  :math:`G = 1 - \\sum_k p_k^2` of the class shares ``p_k`` in a node; the features the tree
  splits on (non-zero impurity decrease) are kept, most important first (:func:`gini_select`);
* **evaluation** -- the chosen topology is trained 250 times with different initial weights and
  train/validation permutations; accuracy, specificity and sensitivity (Eqs. 3-5) and the
  confusion matrices are reported as mean (std) over the repetitions (:func:`evaluate_repeated`).

Two protocols are provided:

:func:`paper_protocol`
    as the paper: selection and topology search on all subjects, then the repeated evaluation
    (each repetition keeps a held-out test part of the subjects, but the features and topology
    have already seen them).
:func:`nested_protocol`
    beyond the paper: outer folds by subject; within each outer training fold the selection,
    the topology search and the training; the outer test subjects are predicted by networks
    that never saw them.  The gap between the two is the optimism of the paper's protocol.

Choices where the paper is silent: repetitions split the subjects 70/15/15 % into
training/validation (early stopping)/test, stratified by class (MATLAB's default
``dividerand`` ratios); metrics are computed on the test part; the confusion matrix holds the
percentage of the test cases in each cell, rows true class (negative, positive), columns the
predicted class.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tremorlab import parallel
from tremorlab.learn.mlp import BatchedMLP, Topology
from tremorlab.learn.splits import subject_split

__all__ = ["gini_impurity", "gini_select", "repetition_masks", "binary_metrics", "RepeatedEvaluation",
           "evaluate_repeated", "ProtocolResult", "paper_protocol", "nested_protocol"]


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


def repetition_masks(y, n_repeats: int, fractions=(0.7, 0.15, 0.15), seed: int = 0,
                     subjects=None) -> tuple[np.ndarray, ...]:
    """Train/validation/test masks (each (n_repeats, n)) of independent subject splits.

    Each repetition is a :func:`tremorlab.learn.splits.subject_split` (stratified by class,
    every subject on one side) seeded from ``SeedSequence([seed, r])``.
    """
    y = np.asarray(y)
    subjects = np.arange(y.shape[0]) if subjects is None else np.asarray(subjects)
    masks = np.zeros((len(fractions), n_repeats, y.shape[0]), dtype=bool)
    for r in range(n_repeats):
        s = int(np.random.SeedSequence([seed, r]).generate_state(1)[0])
        for k, idx in enumerate(subject_split(subjects, y, fractions=fractions, seed=s)):
            masks[k, r, idx] = True
    return tuple(masks)


def binary_metrics(y_true, y_pred, mask, positive) -> dict[str, np.ndarray]:
    """Per-repetition accuracy, specificity, sensitivity (Eqs. 3-5) and confusion in %.

    Parameters
    ----------
    y_true : (n,); y_pred : (R, n); mask : (R, n) bool -- the cases each repetition is scored on
    positive : the label of the positive class (PD, or moderate PD)

    Returns
    -------
    dict of arrays: accuracy, specificity, sensitivity (R,) -- NaN where the denominator is 0 --
    and confusion_pct (R, 2, 2): rows true (negative, positive), columns predicted.
    """
    y_true = np.asarray(y_true)
    y_pred = np.atleast_2d(y_pred)
    mask = np.atleast_2d(np.asarray(mask, dtype=bool))
    t = (y_true == positive)[None, :]
    p = y_pred == positive
    tp = (t & p & mask).sum(1).astype(float)
    tn = (~t & ~p & mask).sum(1).astype(float)
    fp = (~t & p & mask).sum(1).astype(float)
    fn = (t & ~p & mask).sum(1).astype(float)
    n = mask.sum(1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        acc = (tp + tn) / n
        spec = tn / (tn + fp)
        sens = tp / (tp + fn)
        conf = np.stack([np.stack([tn, fp], 1), np.stack([fn, tp], 1)], 1) / n[:, None, None] * 100
    return {"accuracy": acc, "specificity": spec, "sensitivity": sens, "confusion_pct": conf}


@dataclass
class RepeatedEvaluation:
    """Per-repetition metrics of one topology (see :func:`binary_metrics`)."""

    topology: Topology | str
    accuracy: np.ndarray
    specificity: np.ndarray
    sensitivity: np.ndarray
    confusion_pct: np.ndarray
    labels: tuple = ()

    def summary(self) -> dict:
        """Means and standard deviations (fractions, NaN-aware) and the mean/std confusion (%)."""
        out = {"topology": str(self.topology), "n_repeats": int(self.accuracy.shape[0])}
        for k in ("accuracy", "specificity", "sensitivity"):
            v = getattr(self, k)
            out[f"{k}_mean"] = float(np.nanmean(v))
            out[f"{k}_std"] = float(np.nanstd(v))
        out["confusion_pct_mean"] = np.nanmean(self.confusion_pct, axis=0).round(2).tolist()
        out["confusion_pct_std"] = np.nanstd(self.confusion_pct, axis=0).round(2).tolist()
        return out


def _positive(y, positive):
    labels = np.unique(y)
    if labels.size != 2:
        raise ValueError(f"a binary objective needs exactly 2 classes, got {labels.tolist()}")
    if positive is None:
        return labels[1]
    if positive not in labels:
        raise ValueError(f"positive label {positive!r} not among the labels {labels.tolist()}")
    return positive


def evaluate_repeated(X, y, topology: Topology, n_repeats: int = 250, seed: int = 0, positive=None,
                      fractions=(0.7, 0.15, 0.15), subjects=None, **mlp_kwargs) -> RepeatedEvaluation:
    """Train ``topology`` ``n_repeats`` times (new weights, new split) and score each on its test part.

    ``mlp_kwargs`` go to :class:`~tremorlab.learn.mlp.BatchedMLP` (``max_epochs``,
    ``patience``, ...); its seed is ``seed``.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    pos = _positive(y, positive)
    tr, va, te = repetition_masks(y, n_repeats, fractions, seed, subjects)
    model = BatchedMLP(topology, seed=seed, **mlp_kwargs).fit(X, y, tr, va)
    m = binary_metrics(y, model.predict(X), te, pos)
    return RepeatedEvaluation(topology=topology, labels=tuple(np.unique(y).tolist()), **m)


@dataclass
class ProtocolResult:
    """Result of a protocol on one dataset (features x subjects) and one objective."""

    protocol: str
    selected: list = field(default_factory=list)  # names selected (per fold for the nested one)
    topologies: list = field(default_factory=list)  # str per fold (one for the paper protocol)
    evaluation: RepeatedEvaluation | None = None
    moga: object = None
    predictions: np.ndarray | None = None  # (R, n) out-of-fold labels (nested protocol)
    also_predictions: np.ndarray | None = None  # (R, n) the same fold models on the ``also`` rows


    def summary(self) -> dict:
        out = {"protocol": self.protocol, "selected": self.selected, "topologies": self.topologies}
        out.update(self.evaluation.summary())
        return out


def _search(X, y, ga: dict, seed: int):
    from tremorlab.learn.moga import search_topology

    return search_topology(X, y, seed=seed, **ga)


def paper_protocol(X, y, names, select: bool, ga: dict | None = None, n_repeats: int = 250, seed: int = 0,
                   positive=None, **mlp_kwargs) -> ProtocolResult:
    """Selection (if ``select``) and GA topology search on all subjects, then ``n_repeats`` evaluation.

    ``ga`` holds :func:`tremorlab.learn.moga.search_topology` arguments (``pop_size``,
    ``n_gen``, ``n_repeats``, ``upper``).  The evaluation uses seed ``seed + 1`` so that its
    repetitions are not the ones the GA scored topologies on.
    """
    X = np.asarray(X, dtype=float)
    names = list(names)
    cols = np.arange(X.shape[1])
    if select:
        cols, _ = gini_select(X, y, seed=seed)
    Xs = X[:, cols]
    res = _search(Xs, y, dict(ga or {}), seed)
    ev = evaluate_repeated(Xs, y, res.best, n_repeats=n_repeats, seed=seed + 1, positive=positive, **mlp_kwargs)
    return ProtocolResult("paper", [names[c] for c in cols], [str(res.best)], ev, res)


def nested_protocol(X, y, names, select: bool, ga: dict | None = None, n_folds: int = 4, n_repeats: int = 50,
                    seed: int = 0, positive=None, subjects=None, also=None, **mlp_kwargs) -> ProtocolResult:
    """Selection, topology search and training inside each outer training fold.

    Outer folds: stratified (by class) K folds of the subjects.  In each, the Gini selection
    and the GA see only the training subjects; the chosen topology is trained ``n_repeats``
    times on them (80/20 % train/validation splits for early stopping) and predicts the outer
    test subjects.  Repetition ``r``'s metrics pool its predictions over all folds, so the
    summary has the same form as :func:`paper_protocol`'s.

    ``also`` (optional, the shape of ``X``): another version of every subject's features (the
    same drawing through another recording path, say).  Each fold's networks, trained as
    above, also predict the ``also`` rows of its test subjects, into ``also_predictions``; the
    training, the selection and ``predictions`` do not depend on it.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    pos = _positive(y, positive)
    names = list(names)
    if also is not None:
        also = np.asarray(also, dtype=float)
        if also.shape != X.shape:
            raise ValueError(f"also must have the shape of X {X.shape}, got {also.shape}")
    groups = np.arange(y.shape[0]) if subjects is None else np.asarray(subjects)
    folds = StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed).split(X, y, groups)
    folds = list(folds)
    # outer folds are independent (fold k's seeds derive from seed and k): one executor task each
    nf = len(folds)
    results = parallel.pmap(_nested_fold, [X] * nf, [y] * nf, [groups] * nf, folds, range(nf), [select] * nf,
                            [dict(ga or {})] * nf, [n_repeats] * nf, [seed] * nf, [mlp_kwargs] * nf, [also] * nf)
    pred = np.empty((n_repeats, y.shape[0]), dtype=y.dtype)
    also_pred = None if also is None else np.empty_like(pred)
    selected, tops = [], []
    for (tr, te), (cols, best, fold_pred, fold_also) in zip(folds, results):
        pred[:, te] = fold_pred
        if also_pred is not None:
            also_pred[:, te] = fold_also
        selected.append([names[c] for c in cols])
        tops.append(str(best))
    m = binary_metrics(y, pred, np.ones_like(pred, dtype=bool), pos)
    ev = RepeatedEvaluation(topology="one per outer fold", labels=tuple(np.unique(y).tolist()), **m)
    return ProtocolResult("nested", selected, tops, ev, None, pred, also_pred)


def _nested_fold(X, y, groups, fold, k: int, select: bool, ga: dict, n_repeats: int, seed: int, mlp_kwargs: dict,
                 also=None):
    """Outer fold ``k`` of the nested protocol: (selected columns, topology, test predictions (R, n_test),
    the same networks' predictions of the ``also`` test rows or None)."""
    tr, te = fold
    cols = np.arange(X.shape[1])
    if select:
        cols, _ = gini_select(X[tr], y[tr], seed=seed)
    res = _search(X[tr][:, cols], y[tr], ga, seed + 100 * (k + 1))
    trm, vam = repetition_masks(y[tr], n_repeats, (0.8, 0.2), seed + 100 * (k + 1) + 1, groups[tr])
    model = BatchedMLP(res.best, seed=seed + k, **mlp_kwargs).fit(X[tr][:, cols], y[tr], trm, vam)
    also_pred = None if also is None else model.predict(also[te][:, cols])
    return cols, res.best, model.predict(X[te][:, cols]), also_pred


#: The paper's six cases: case -> (task / dataset, with Gini selection?).  Datasets A, B, C are
#: the spiral, the small "l" and the large "l" tasks.
CASES = {1: ("spiral", False), 2: ("l_small", False), 3: ("l_large", False),
         4: ("spiral", True), 5: ("l_small", True), 6: ("l_large", True)}


def run_cases(tables: dict, y, cases=None, protocol: str = "paper", seed: int = 0, **kwargs) -> dict:
    """Run a protocol on several cases.

    Parameters
    ----------
    tables : dict task -> (X, names), the subjects x features table of each task
    y : labels of the subjects (same order in every table)
    cases : iterable of case numbers (default all of :data:`CASES`)
    protocol : ``"paper"`` (:func:`paper_protocol`) or ``"nested"`` (:func:`nested_protocol`)
    kwargs : passed to the protocol (``ga``, ``n_repeats``, ``positive``, ...)

    Returns
    -------
    dict case -> ProtocolResult
    """
    if protocol not in ("paper", "nested"):
        raise ValueError(f"protocol must be 'paper' or 'nested', got {protocol!r}")
    cases = list(CASES if cases is None else cases)
    # cases are independent (case c's seed is seed + c): one executor task each
    results = parallel.pmap(_run_case, [tables] * len(cases), [y] * len(cases), cases, [protocol] * len(cases),
                            [seed] * len(cases), [kwargs] * len(cases))
    return dict(zip(cases, results))


def _run_case(tables: dict, y, case: int, protocol: str, seed: int, kwargs: dict) -> ProtocolResult:
    task, select = CASES[case]
    X, names = tables[task]
    run = {"paper": paper_protocol, "nested": nested_protocol}[protocol]
    return run(X, y, names, select, seed=seed + case, **kwargs)
