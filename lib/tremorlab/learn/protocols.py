"""The paper's protocol and the nested one (Loconsole et al. 2019; chapter 5).

:func:`paper_protocol`
    as the paper: selection and topology search on all subjects, then the repeated evaluation
    (each repetition keeps a held-out test part of the subjects, but the features and topology
    have already seen them).
:func:`nested_protocol`
    beyond the paper: outer folds by subject; within each outer training fold the selection,
    the topology search and the training; the outer test subjects are predicted by networks
    that never saw them.  The gap between the two is the optimism of the paper's protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tremorlab import parallel
from tremorlab.learn.mlp import BatchedMLP
from tremorlab.learn.moga import search_topology
from tremorlab.learn.repeated import (RepeatedEvaluation, binary_metrics, error_fitness, evaluate_repeated,
                                      positive_label, repetition_masks)
from tremorlab.learn.selection import gini_select
from tremorlab.learn.splits import grouped_folds

__all__ = ["ProtocolResult", "paper_protocol", "nested_protocol", "CASES", "run_cases"]


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
    """The GA on ``X, y``: ``ga`` holds :func:`~tremorlab.learn.moga.search_topology`'s arguments and
    ``n_repeats`` (and training arguments) of its fitness, :func:`~tremorlab.learn.repeated.error_fitness`."""
    ga = dict(ga)
    search = {k: ga.pop(k) for k in ("pop_size", "n_gen", "upper") if k in ga}
    return search_topology(X, y, error_fitness(X, y, seed=seed, **ga), seed=seed, **search)


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
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    pos = positive_label(y, positive)
    names = list(names)
    if also is not None:
        also = np.asarray(also, dtype=float)
        if also.shape != X.shape:
            raise ValueError(f"also must have the shape of X {X.shape}, got {also.shape}")
    groups = np.arange(y.shape[0]) if subjects is None else np.asarray(subjects)
    folds = grouped_folds(y, groups, n_folds, seed)
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
