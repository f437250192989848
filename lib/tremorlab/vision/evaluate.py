"""Evaluation of a grader, all from one set of predictions (Peng et al. 2025, Results).

Accuracy and the support-weighted precision, recall and F1 (scikit-learn ``average="weighted"``,
the paper's Table 4, where weighted recall equals accuracy), each with a 95 % percentile
bootstrap interval that resamples whole subjects (:func:`tremorlab.learn.metrics.bootstrap_ci`);
per-class one-vs-rest ROC curves and AUCs; the confusion matrix
(:func:`tremorlab.learn.metrics.confusion`); accuracy by acquisition
setting; and the penultimate-layer features for t-SNE.
"""

from __future__ import annotations

import numpy as np

from tremorlab.learn.metrics import bootstrap_ci
from tremorlab.vision.dataset import to_tensor

CLASSES = (0, 1, 2, 3, 4)


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _weighted(fn):
    from sklearn.metrics import f1_score, precision_score, recall_score

    f = {"precision": precision_score, "recall": recall_score, "f1": f1_score}[fn]
    return lambda yt, yp: f(yt, yp, average="weighted", labels=list(CLASSES), zero_division=0)


def classification_report(y_true, y_pred, groups=None, n_boot: int = 1000, seed: int = 0) -> dict:
    """Accuracy, weighted precision / recall / F1 as (estimate, low, high) in percent."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    out = {}
    fns = {"accuracy": lambda a, b: float(np.mean(a == b)), "precision": _weighted("precision"),
           "recall": _weighted("recall"), "f1": _weighted("f1")}
    for name, fn in fns.items():
        est, lo, hi = bootstrap_ci(fn, y_true, y_pred, n_boot=n_boot, seed=seed, groups=groups)
        out[name] = (100 * est, 100 * lo, 100 * hi)
    return out


def roc_per_class(y_true, proba, classes=CLASSES) -> dict:
    """One-vs-rest ROC curve and AUC per class present in ``y_true`` (and absent from nothing)."""
    from sklearn.metrics import roc_auc_score, roc_curve

    y_true = np.asarray(y_true)
    out = {}
    for k, c in enumerate(classes):
        pos = y_true == c
        if pos.all() or not pos.any():
            continue
        fpr, tpr, _ = roc_curve(pos, proba[:, k])
        out[c] = {"fpr": fpr, "tpr": tpr, "auc": float(roc_auc_score(pos, proba[:, k]))}
    return out


def accuracy_by(y_true, y_pred, key) -> dict:
    """Accuracy (%) and count within each value of ``key`` (e.g. the setting)."""
    y_true, y_pred, key = np.asarray(y_true), np.asarray(y_pred), np.asarray(key)
    return {str(k): {"accuracy": float(100 * np.mean(y_true[key == k] == y_pred[key == k])), "n": int(np.sum(key == k))}
            for k in np.unique(key)}


def penultimate_features(model, images: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """Pooled features just before the classifier (timm's ``forward_head(..., pre_logits=True)``)."""
    import torch

    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch_size):
            f = model.forward_features(to_tensor(images[i:i + batch_size]))
            out.append(model.forward_head(f, pre_logits=True).float().numpy())
    return np.concatenate(out)


def tsne(features: np.ndarray, seed: int = 0, perplexity: float = 20.0) -> np.ndarray:
    """2-D t-SNE embedding (scikit-learn, PCA initialisation, seeded)."""
    from sklearn.manifold import TSNE

    perplexity = min(perplexity, max(2.0, (len(features) - 1) / 3))
    return TSNE(2, perplexity=perplexity, init="pca", random_state=seed, n_jobs=1).fit_transform(features)


def expected_grade(proba: np.ndarray, classes=CLASSES) -> np.ndarray:
    """:math:`E[g] = \\sum_k k\\,p_k`, a continuous severity from the grade probabilities."""
    return proba @ np.asarray(classes, float)


def paired_difference_ci(correct_a, correct_b, groups, n_boot: int = 1000, seed: int = 0,
                         level: float = 0.95) -> tuple[float, float, float]:
    """Accuracy of A minus accuracy of B (percentage points) on the same cases, with an interval.

    ``correct_a``, ``correct_b``: booleans (n,) or (n, seeds) -- with several seeds each model's
    accuracy is the mean over its seeds.  Whole ``groups`` (patients) are resampled, the same
    resample for both models (a paired bootstrap).  Returns (estimate, low, high).
    """
    a = np.asarray(correct_a, float).reshape(len(correct_a), -1)
    b = np.asarray(correct_b, float).reshape(len(correct_b), -1)
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"correct_a has {a.shape[0]} cases, correct_b {b.shape[0]}")
    both = np.concatenate([a, b], axis=1)
    ka = a.shape[1]
    est, lo, hi = bootstrap_ci(lambda c, _: 100 * (c[:, :ka].mean() - c[:, ka:].mean()), both, np.zeros(len(both)),
                               n_boot=n_boot, level=level, seed=seed, groups=groups)
    return est, lo, hi


def group_mean_ci(values, groups, n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``values`` over people with a bootstrap interval that resamples people (``groups``)."""
    v = np.asarray(values, float)
    return bootstrap_ci(lambda x, _: float(x.mean()), v, np.zeros(len(v)), n_boot=n_boot, level=level, seed=seed,
                        groups=groups)


def binary_auc(y_true, score) -> float:
    """ROC AUC of ``score`` for the positive class of boolean/0-1 ``y_true``.

    Raises ValueError when only one class is present (so that a bootstrap resample without
    both classes is skipped by :func:`tremorlab.learn.metrics.bootstrap_ci` instead of
    contributing NaN).
    """
    from sklearn.metrics import roc_auc_score

    y_true = np.asarray(y_true).astype(bool)
    if y_true.all() or not y_true.any():
        raise ValueError("AUC needs both classes")
    return float(roc_auc_score(y_true, score))
