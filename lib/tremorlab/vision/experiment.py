"""One grader trained and evaluated the chapter's way (a thin wrapper the notebook calls per model)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from tremorlab.vision import evaluate as ev
from tremorlab.vision.baselines import TIMM_NAMES, create
from tremorlab.vision.train import predict_logits, two_phase_fit


def weights_file(name: str, weights_dir: str | os.PathLike | None) -> str | None:
    """``<weights_dir>/<timm architecture>.{safetensors,pth,bin}`` if present (ETSD-Net uses
    ``mobilenetv2_100``); None when ``weights_dir`` is empty."""
    if not weights_dir:
        return None
    arch = "efficientnet_lite0" if "lite0" in name else TIMM_NAMES.get(name, "mobilenetv2_100")
    for ext in ("safetensors", "pth", "bin"):
        p = Path(weights_dir) / f"{arch}.{ext}"
        if p.is_file():
            return str(p)
    if "lite0" in name:  # the pip package's weights are the default for the Lite0 models
        return None
    raise FileNotFoundError(f"weights_dir {weights_dir!r} has no {arch}.safetensors/.pth/.bin for model {name}")


def fit_and_evaluate(name: str, train: tuple, val: tuple, test: tuple, test_groups, test_setting, *,
                     pretrained: bool = False, weights_dir: str | None = None, phase1_epochs: int = 2,
                     phase2_epochs: int = 10, batch_size: int = 64, base_lr: float = 1e-3, lr_decay: float = 0.5,
                     n_boot: int = 1000, seed: int = 0) -> dict:
    """Build ``name``, train it in two phases, and evaluate it on the test set.

    ``train``, ``val``, ``test`` are (uint8 images, grades).  Returns a dict with the model, the
    fit history, test probabilities and predictions, the report (accuracy, weighted P/R/F1 with
    subject-bootstrap CIs), ROC per class, confusion matrix and accuracy by setting.
    """
    import torch

    torch.manual_seed(seed)
    model = create(name, num_classes=5, pretrained=pretrained, weights_file=weights_file(name, weights_dir))
    fit = two_phase_fit(model, *train, *val, phase1_epochs=phase1_epochs, phase2_epochs=phase2_epochs,
                        batch_size=batch_size, base_lr=base_lr, lr_decay=lr_decay, seed=seed)
    proba = ev.softmax(predict_logits(model, test[0]))
    pred = proba.argmax(1)
    y = np.asarray(test[1])
    return {"model": model, "fit": fit, "proba": proba, "pred": pred,
            "report": ev.classification_report(y, pred, groups=test_groups, n_boot=n_boot, seed=seed),
            "roc": ev.roc_per_class(y, proba), "confusion": ev.confusion(y, pred),
            "by_setting": ev.accuracy_by(y, pred, test_setting)}
