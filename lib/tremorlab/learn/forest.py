"""The dysgraphia study's random-forest protocol {cite:p}`asselborn2018dysgraphia`.

* :func:`rates` — F1, true-positive rate (recall of D) and false-positive rate (TD called D).
* :func:`evaluate` — 25 stratified 70 / 30 splits; on each the feature extractor
  (:class:`~tremorlab.features.handwriting.HandwritingFeatures`, whose distance-to-mean-spectrum
  features are learnt on the training part only) and a random forest are fitted on the 70 % and
  scored on the 30 %; F1 / TPR / FPR mean and std over the splits, Gini importances averaged.
* :func:`length_robustness` — the same, using only the first ``L`` seconds of every recording.
* :func:`cross_predict` — out-of-fold predictions of repeated stratified k-fold (each child
  tested once per repetition), for intervals that resample children
  (:func:`tremorlab.learn.nested.child_metrics`): the 25 overlapping 70 / 30 splits share their
  children, so their spread is no interval.
* :func:`top_features`, :func:`feature_correlation` — the importance ranking and Pearson r.

Our reading of the protocol (the paper is terse): it splits 70 / 30 stratified by group and
reports a "25-fold cross-validation" with F1 97.98 % (std 2.68 %).  A std that small is what
test parts of ~90 children give, not folds of ~8 children with one or two dysgraphic writers,
so we read "25-fold" as 25 repetitions of the stratified 70 / 30 split (Monte-Carlo
cross-validation).  The forest's hyper-parameters are not given; we use scikit-learn's defaults
(Gini, ``max_features="sqrt"``) with ``n_estimators`` trees and a seed per split.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, StratifiedShuffleSplit
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

from tremorlab.features.handwriting import FEATURE_GROUPS, FEATURE_NAMES, HandwritingFeatures
from tremorlab.learn.metrics import confusion

__all__ = ["rates", "ForestResult", "forest_pipeline", "evaluate", "cross_predict", "length_robustness", "top_features",
           "feature_correlation"]


def rates(y_true, y_pred) -> dict[str, float]:
    """F1 of the positive class (dysgraphia = 1), TPR = TP / (TP + FN) and FPR = FP / (FP + TN).

    .. math:: F_1 = \\frac{2\\,TP}{2\\,TP + FP + FN}

    F1 is 0 when there is no true and no predicted positive (scikit-learn's ``zero_division=0``);
    a rate whose denominator is zero is NaN.
    """
    y_true, y_pred = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    tn, fp, fn, tp = (int(c) for c in confusion(y_true, y_pred, (0, 1)).ravel())
    f1 = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else 0.0
    tpr = tp / (tp + fn) if (tp + fn) else float("nan")
    fpr = fp / (fp + tn) if (fp + tn) else float("nan")
    acc = (tp + tn) / max(1, tp + tn + fp + fn)
    return {"f1": f1, "tpr": tpr, "fpr": fpr, "accuracy": acc, "tp": tp, "fp": fp, "fn": fn, "tn": tn}


@dataclass
class ForestResult:
    """Scores of one protocol run: per-split arrays and their summaries."""

    f1: np.ndarray
    tpr: np.ndarray
    fpr: np.ndarray
    importances: np.ndarray        # (n_splits, n_features), Gini importance per split
    feature_names: tuple[str, ...]
    accuracy: np.ndarray | None = None

    def summary(self) -> dict[str, float]:
        extra = {} if self.accuracy is None else {"accuracy_mean": float(self.accuracy.mean()),
                                                  "accuracy_std": float(self.accuracy.std())}
        return {**extra, "f1_mean": float(self.f1.mean()), "f1_std": float(self.f1.std()),
                "tpr_mean": float(np.nanmean(self.tpr)), "tpr_std": float(np.nanstd(self.tpr)),
                "fpr_mean": float(np.nanmean(self.fpr)), "fpr_std": float(np.nanstd(self.fpr)),
                "n_splits": int(self.f1.size)}

    @property
    def mean_importance(self) -> np.ndarray:
        return self.importances.mean(axis=0)


def forest_pipeline(extractor, columns, n_estimators: int, random_state: int) -> Pipeline:
    """The protocol's model as one scikit-learn pipeline: a clone of the (unfitted) feature
    ``extractor`` (its mean spectra are learnt in ``fit``, on the training recordings only), the
    feature ``columns`` kept (indices into :data:`~tremorlab.features.handwriting.FEATURE_NAMES`),
    and a random forest of ``n_estimators`` trees seeded with ``random_state``.

    The protocols build one per split, each with its own seed, which is why they loop over the splits
    rather than hand one estimator to ``sklearn.model_selection.cross_validate`` (which clones the same
    seed into every split).
    """
    return make_pipeline(clone(extractor), FunctionTransformer(np.take, kw_args={"indices": list(columns), "axis": 1}),
                         RandomForestClassifier(n_estimators=n_estimators, random_state=random_state, n_jobs=1))


def evaluate(X, y, n_splits: int = 25, test_size: float = 0.3, seed: int = 0, n_estimators: int = 100,
             features: list[str] | None = None, extractor=None) -> ForestResult:
    """Stratified 70 / 30 splits, repeated ``n_splits`` times; the study's protocol as we read it.

    Parameters
    ----------
    X : sequence of PenRecording or :class:`~tremorlab.features.handwriting.Summary`
        (summaries avoid recomputing the features in every split).
    y : array of 0 (TD) / 1 (D)
    features : list of str, optional
        Use only these of the 53 columns (the paper's simplified model).
    extractor : HandwritingFeatures, optional
        Unfitted extractor to clone per split (default parameters otherwise).

    Returns
    -------
    ForestResult
    """
    y = np.asarray(y).astype(int)
    X = list(X)
    if len(X) != y.size:
        raise ValueError(f"X has {len(X)} recordings, y {y.size} labels")
    if set(np.unique(y)) != {0, 1}:
        raise ValueError(f"y must hold both classes 0 (TD) and 1 (D), got {sorted(set(y.tolist()))}")
    base = extractor if extractor is not None else HandwritingFeatures()
    summaries = base.summarize(X)           # population-independent part, once
    cols = list(range(len(FEATURE_NAMES))) if features is None else [FEATURE_NAMES.index(f) for f in features]
    names = tuple(FEATURE_NAMES[c] for c in cols)
    sss = StratifiedShuffleSplit(n_splits=n_splits, test_size=test_size, random_state=seed)
    f1, tpr, fpr, imp, acc = [], [], [], [], []
    for k, (tr, te) in enumerate(sss.split(np.zeros(y.size), y)):
        # mean spectra from the training part only; a seed per split
        model = forest_pipeline(base, cols, n_estimators, seed * 1000 + k).fit([summaries[i] for i in tr], y[tr])
        r = rates(y[te], model.predict([summaries[i] for i in te]))
        f1.append(r["f1"])
        tpr.append(r["tpr"])
        fpr.append(r["fpr"])
        acc.append(r["accuracy"])
        imp.append(model[-1].feature_importances_)
    return ForestResult(np.array(f1), np.array(tpr), np.array(fpr), np.array(imp), names, np.array(acc))


def cross_predict(X, y, n_folds: int = 5, repeats: int = 5, seed: int = 0, n_estimators: int = 100,
                  features: list[str] | None = None, extractor=None) -> np.ndarray:
    """Out-of-fold predictions of ``repeats`` stratified ``n_folds``-fold cross-validations.

    In each fold the extractor (mean spectra) and a random forest are fitted on the other folds
    only, as in :func:`evaluate`.  Every recording is predicted exactly once per repetition, so
    the result, shape ``(repeats, n)``, can be scored with an interval that resamples the writers
    (:func:`tremorlab.learn.nested.child_metrics`).
    """
    y = np.asarray(y).astype(int)
    X = list(X)
    if len(X) != y.size:
        raise ValueError(f"X has {len(X)} recordings, y {y.size} labels")
    base = extractor if extractor is not None else HandwritingFeatures()
    summaries = base.summarize(X)
    cols = list(range(len(FEATURE_NAMES))) if features is None else [FEATURE_NAMES.index(f) for f in features]
    pred = np.full((repeats, y.size), -1, dtype=int)
    for r in range(repeats):
        skf = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed * 1000 + r)
        for k, (tr, te) in enumerate(skf.split(np.zeros(y.size), y)):
            model = forest_pipeline(base, cols, n_estimators, seed * 100000 + r * 100 + k)
            pred[r, te] = model.fit([summaries[i] for i in tr], y[tr]).predict([summaries[i] for i in te])
    return pred


def length_robustness(recordings, y, lengths_s, n_splits: int = 25, seed: int = 0, n_estimators: int = 100,
                      extractor=None) -> dict[float, ForestResult]:
    """:func:`evaluate` on the first ``L`` seconds of every recording, for each ``L`` in ``lengths_s``.

    A recording shorter than ``L`` is used whole.  Features that the shortened recording cannot
    support (e.g. a spectrum with no complete 600-point bin) are NaN, which the forest handles.
    """
    base = extractor if extractor is not None else HandwritingFeatures()
    out = {}
    for L in lengths_s:
        cut = [r.slice_time(0.0, float(L)) if r.duration_s > L else r for r in recordings]
        out[float(L)] = evaluate(base.summarize(cut), y, n_splits=n_splits, seed=seed,
                                 n_estimators=n_estimators, extractor=base)
    return out


def top_features(result: ForestResult, k: int = 8) -> list[tuple[str, str, float]]:
    """The ``k`` features of highest mean Gini importance: ``(name, group, importance)``."""
    group_of = {n: g for g, names in FEATURE_GROUPS.items() for n in names}
    order = np.argsort(result.mean_importance)[::-1][:k]
    return [(result.feature_names[i], group_of[result.feature_names[i]], float(result.mean_importance[i]))
            for i in order]


def feature_correlation(F: np.ndarray, names, a: str, b: str) -> tuple[float, float, int]:
    """Pearson r and two-sided p between columns ``a`` and ``b`` of a feature matrix (rows with a
    NaN in either column are left out); returns ``(r, p, n)``."""
    from scipy.stats import pearsonr

    names = list(names)
    u, v = F[:, names.index(a)], F[:, names.index(b)]
    ok = np.isfinite(u) & np.isfinite(v)
    if ok.sum() < 3:
        return float("nan"), float("nan"), int(ok.sum())
    r, p = pearsonr(u[ok], v[ok])
    return float(r), float(p), int(ok.sum())
