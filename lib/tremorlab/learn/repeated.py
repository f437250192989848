"""The repeated evaluation of a topology (Loconsole et al. 2019, "Experimental data processing").

The chosen topology is trained 250 times with different initial weights and train/validation
permutations; accuracy, specificity and sensitivity (Eqs. 3-5) and the confusion matrices are
reported as mean (std) over the repetitions (:func:`evaluate_repeated`).

Choices where the paper is silent: repetitions split the subjects 70/15/15 % into
training/validation (early stopping)/test, stratified by class (MATLAB's default
``dividerand`` ratios); metrics are computed on the test part; the confusion matrix holds the
percentage of the test cases in each cell, rows true class (negative, positive), columns the
predicted class.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tremorlab.learn.mlp import BatchedMLP, Topology
from tremorlab.learn.splits import subject_split

#: train / validation (early stopping) / test shares of the subjects in each repetition (MATLAB's
#: ``dividerand`` defaults; the paper is silent)
FRACTIONS = (0.7, 0.15, 0.15)

__all__ = ["repetition_masks", "binary_metrics", "RepeatedEvaluation", "evaluate_repeated", "error_fitness",
           "positive_label"]


def repetition_masks(y, n_repeats: int, fractions=FRACTIONS, seed: int = 0,
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
    #: (R, n) every repetition's predicted labels of all subjects, and (R, n) the test part each is
    #: scored on (set by :func:`evaluate_repeated`; None where not kept)
    predictions: np.ndarray | None = None
    test_mask: np.ndarray | None = None

    def subject_correct(self, y) -> np.ndarray:
        """Each subject's share of correct predictions over the repetitions that test it, (n,)
        (NaN for a subject no repetition tests); needs :attr:`predictions` and :attr:`test_mask`."""
        if self.predictions is None or self.test_mask is None:
            raise ValueError("this evaluation kept no predictions (predictions / test_mask are None)")
        hit = (np.asarray(self.predictions) == np.asarray(y)[None, :]) & self.test_mask
        n = self.test_mask.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, hit.sum(axis=0) / n, np.nan)

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


def positive_label(y, positive):
    labels = np.unique(y)
    if labels.size != 2:
        raise ValueError(f"a binary objective needs exactly 2 classes, got {labels.tolist()}")
    if positive is None:
        return labels[1]
    if positive not in labels:
        raise ValueError(f"positive label {positive!r} not among the labels {labels.tolist()}")
    return positive


def evaluate_repeated(X, y, topology: Topology, n_repeats: int = 250, seed: int = 0, positive=None,
                      fractions=FRACTIONS, subjects=None, **mlp_kwargs) -> RepeatedEvaluation:
    """Train ``topology`` ``n_repeats`` times (new weights, new split) and score each on its test part.

    ``mlp_kwargs`` go to :class:`~tremorlab.learn.mlp.BatchedMLP` (``max_epochs``,
    ``patience``, ...); its seed is ``seed``.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    pos = positive_label(y, positive)
    tr, va, te = repetition_masks(y, n_repeats, fractions, seed, subjects)
    model = BatchedMLP(topology, seed=seed, **mlp_kwargs).fit(X, y, tr, va)
    pred = model.predict(X)
    m = binary_metrics(y, pred, te, pos)
    return RepeatedEvaluation(topology=topology, labels=tuple(np.unique(y).tolist()), predictions=pred, test_mask=te,
                              **m)


def error_fitness(X, y, n_repeats: int = 10, seed: int = 0, **fit_kwargs):
    """The topology search's fitness: ``topology -> 1 - mean accuracy`` of :func:`evaluate_repeated`
    with ``n_repeats`` repetitions and seed ``seed`` (``fit_kwargs`` go to it)."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)

    def fitness(top: Topology) -> float:
        return 1.0 - float(np.nanmean(evaluate_repeated(X, y, top, n_repeats=n_repeats, seed=seed,
                                                        **fit_kwargs).accuracy))

    return fitness
