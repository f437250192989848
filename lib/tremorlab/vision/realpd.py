"""Beyond Peng et al.: an ImageNet-started network told to separate PD from healthy spirals, by person.

The real public spirals (Kaggle "Parkinson's drawings" after Zham et al. 2017; a NewHandPD
sample, Pereira et al. 2016) carry a binary label, not a CRST grade.  :func:`cross_validate`
fine-tunes ImageNet EfficientNet-Lite0 (two-phase, as in chapter 1) with person-grouped,
label-stratified K-fold cross-validation on one set and returns out-of-fold probabilities;
:func:`fit_all` trains on the whole set, to apply unchanged to another acquisition.  Every
interval resamples people, never images.

All images are read as greyscale and replicated to three channels, because the Kaggle
training images are greyscale and its testing images RGB (the colour would tell the source
folder apart).
"""

from __future__ import annotations

import numpy as np

from tremorlab.io import read_image
from tremorlab.learn.metrics import bootstrap_ci
from tremorlab.learn.splits import grouped_folds
from tremorlab.vision.augment import balance_classes
from tremorlab.vision.dataset import resize
from tremorlab.vision.evaluate import binary_auc, softmax
from tremorlab.vision.pretrained import efficientnet_lite0
from tremorlab.vision.train import predict_logits, two_phase_fit


def person_ids(items) -> np.ndarray:
    """One id per person: the label and the subject field of each :class:`ImageItem`.

    Kaggle names are ``V<NN><H|P>E<rep>``: ``V01`` of the healthy folder and ``V01`` of the PD
    folder are different people (the H/P letter belongs to the id), and one person's repetitions
    sit in both the source's training and testing folders.  NewHandPD subjects are ``H<k>``/``P<k>``.
    """
    out = []
    for it in items:
        if it.subject is None:
            raise ValueError(f"{it.path}: no subject in the file name, cannot group by person")
        out.append(f"{it.label}:{it.subject}")
    return np.array(out)


def load_grey(items, size: int) -> np.ndarray:
    """Images of ``items`` as greyscale replicated to (n, size, size, 3) uint8."""
    out = np.empty((len(items), size, size, 3), np.uint8)
    for i, it in enumerate(items):
        g = read_image(it.path, "L")
        out[i] = resize(np.repeat(g[:, :, None], 3, axis=2), size)
    return out


def _fit(x, y, n_per_class, phase1_epochs, phase2_epochs, batch_size, lr_decay, seed):
    import torch

    xb, yb, _, _ = balance_classes(x, y, n_per_class, seed=seed, classes=(0, 1))
    torch.manual_seed(seed)
    model = efficientnet_lite0(num_classes=2, pretrained=True)
    empty = (x[:0], y[:0])  # no validation set: the last epoch is kept (fixed schedule)
    two_phase_fit(model, xb, yb, *empty, phase1_epochs=phase1_epochs, phase2_epochs=phase2_epochs,
                  batch_size=batch_size, lr_decay=lr_decay, seed=seed)
    return model


def _proba(model, x) -> np.ndarray:
    return softmax(predict_logits(model, x))[:, 1]


def cross_validate(x, y, persons, n_splits: int = 5, n_per_class: int = 60, phase1_epochs: int = 2,
                   phase2_epochs: int = 4, batch_size: int = 32, lr_decay: float = 0.5, seed: int = 0) -> dict:
    """Out-of-fold P(PD) from person-grouped, stratified K-fold cross-validation.

    ``x``: uint8 images (n, H, W, 3); ``y``: 1 = PD, 0 = healthy; ``persons``: one id per image.
    No person has images in both a training and a test fold (checked).  Returns ``proba``
    (n,), ``fold`` (n,) and the seconds spent.
    """
    import time

    y, persons = np.asarray(y), np.asarray(persons)
    proba, fold = np.full(len(y), np.nan), np.full(len(y), -1)
    t0 = time.perf_counter()
    for k, (tr, te) in enumerate(grouped_folds(y, persons, n_splits, seed)):
        model = _fit(x[tr], y[tr], n_per_class, phase1_epochs, phase2_epochs, batch_size, lr_decay, seed + k)
        proba[te], fold[te] = _proba(model, x[te]), k
    return {"proba": proba, "fold": fold, "seconds": time.perf_counter() - t0}


def fit_all(x, y, n_per_class: int = 60, phase1_epochs: int = 2, phase2_epochs: int = 4, batch_size: int = 32,
            lr_decay: float = 0.5, seed: int = 0):
    """The same recipe trained on every image of one set (to apply to another set unchanged)."""
    return _fit(x, np.asarray(y), n_per_class, phase1_epochs, phase2_epochs, batch_size, lr_decay, seed)


def person_report(y, proba, persons, n_boot: int = 1000, seed: int = 0, threshold: float = 0.5) -> dict:
    """Accuracy (%) and AUC of per-image P(PD), each (estimate, low, high) with people resampled,
    plus the numbers of images and people per class."""
    y, proba, persons = np.asarray(y), np.asarray(proba), np.asarray(persons)
    acc = bootstrap_ci(lambda a, b: 100 * float(np.mean(a == (b >= threshold))), y, proba, n_boot=n_boot, seed=seed,
                       groups=persons)
    auc = bootstrap_ci(binary_auc, y, proba, n_boot=n_boot, seed=seed, groups=persons)
    return {"accuracy": acc, "auc": auc, "n_images": int(len(y)),
            "n_people": {"healthy": int(len(set(persons[y == 0]))), "pd": int(len(set(persons[y == 1])))}}
