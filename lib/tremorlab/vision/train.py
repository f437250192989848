"""Two-phase transfer learning with layer-wise learning rates (Peng et al. 2025, "Experimental setups").

Phase 1 trains only what is new -- the 5-class head and, for ETSD-Net, the attention modules --
with the pretrained ("matched") tensors frozen.  Phase 2 fine-tunes everything with Adam,
batch 64, cross-entropy, for 10 epochs, with a hierarchical learning rate: the classifier at
the base rate :math:`\\eta_0 = 10^{-3}` and the feature extractor decayed by 0.5 every three
layers going down (:func:`layerwise_param_groups`).  After every epoch the model is scored on
the validation set and the best one is kept.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from tremorlab.vision.dataset import to_tensor


def feature_layers(model: nn.Module) -> list[list[tuple[str, nn.Parameter]]]:
    """Parameters of the feature extractor grouped by layer, bottom (input side) first.

    A *layer* starts at each convolution or fully connected weight (in registration order,
    which for these networks is the order of the forward pass); parameters without their own
    weight layer (batch/layer norms, ConvNeXt's layer scale, attention biases) join the layer
    before them.  The classifier (``model.get_classifier()``) is not part of it.
    """
    head = {id(p) for p in model.get_classifier().parameters()}
    owner = {}
    for mod in model.modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            owner[id(mod.weight)] = True
    layers: list[list[tuple[str, nn.Parameter]]] = []
    for name, p in model.named_parameters():
        if id(p) in head:
            continue
        if id(p) in owner or not layers:
            layers.append([])
        layers[-1].append((name, p))
    return layers


def layerwise_param_groups(model: nn.Module, base_lr: float = 1e-3, decay: float = 0.5, every: int = 3,
                           trainable_only: bool = True) -> list[dict]:
    """Adam parameter groups with the paper's hierarchical learning rates.

    The classifier gets ``base_lr``.  Feature layer :math:`k` (:func:`feature_layers`),
    counted from the top (:math:`d = 0` for the layer nearest the classifier), gets

    .. math:: \\eta_d = \\eta_0 \\cdot \\mathrm{decay}^{\\,1 + \\lfloor d / \\mathrm{every} \\rfloor},

    i.e. the three layers under the classifier run at half the base rate, the next three at a
    quarter, and so on ("decayed by a factor of 0.5 every three layers"; the classifier "without
    decay").  Each group carries ``name`` (first parameter) and ``depth``.
    """
    groups = [{"params": [p for p in model.get_classifier().parameters() if p.requires_grad or not trainable_only],
               "lr": base_lr, "name": "classifier", "depth": -1}]
    layers = feature_layers(model)
    n = len(layers)
    for k, layer in enumerate(layers):
        d = n - 1 - k
        ps = [p for _, p in layer if p.requires_grad or not trainable_only]
        if ps:
            groups.append({"params": ps, "lr": base_lr * decay ** (1 + d // every), "name": layer[0][0], "depth": d})
    return [g for g in groups if g["params"]]


def set_phase1(model: nn.Module) -> list[str]:
    """Freeze the matched pretrained tensors (``model.matched_``); returns the names left trainable.

    Batch-norm layers whose weights are frozen are also kept in evaluation mode by
    :func:`two_phase_fit` (their ImageNet statistics are part of what is transferred).
    """
    matched = set(getattr(model, "matched_", []))
    trainable = []
    for name, p in model.named_parameters():
        p.requires_grad = name not in matched
        if p.requires_grad:
            trainable.append(name)
    return trainable


def _frozen_norms(model: nn.Module) -> list[nn.Module]:
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)
            and m.weight is not None and not m.weight.requires_grad]


@dataclass
class FitResult:
    model: nn.Module
    history: list[dict] = field(default_factory=list)
    best_epoch: int = -1
    best_val_accuracy: float = float("nan")
    train_seconds: float = 0.0


@torch.no_grad()
def predict_logits(model: nn.Module, images: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """Logits (n, classes) of uint8 images (n, H, W, 3), in evaluation mode."""
    model.eval()
    dev = next(model.parameters()).device
    out = [model(to_tensor(images[i:i + batch_size]).to(dev)).float().cpu().numpy()
           for i in range(0, len(images), batch_size)]
    return np.concatenate(out) if out else np.zeros((0, model.get_classifier().out_features))


@torch.no_grad()
def recalibrate_batchnorm(model: nn.Module, images: np.ndarray, batch_size: int = 64) -> None:
    """Re-estimate the running mean and variance of every trainable batch norm on ``images``.

    The statistics are reset and accumulated as an equal-weight average over the batches
    (``momentum=None``) in one forward pass.  After a few epochs from a random start the
    exponential running averages still remember the first batches and no longer match the
    weights, and evaluation collapses onto one class; recalibrating fixes that.  Frozen
    (pretrained, phase-1) norms are left alone.
    """
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)
             and m.track_running_stats and (m.weight is None or m.weight.requires_grad)]
    if not norms or len(images) < 2:
        return
    dev = next(model.parameters()).device
    was = model.training
    saved = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    for i in range(0, len(images), batch_size):
        xb = images[i:i + batch_size]
        if len(xb) > 1:
            model(to_tensor(xb).to(dev))
    for m, mom in zip(norms, saved):
        m.momentum = mom
    model.train(was)


def _epoch(model, opt, x, y, batch_size, rng, loss_fn, frozen_norms, device) -> tuple[float, float]:
    model.train()
    for m in frozen_norms:
        m.eval()
    order = rng.permutation(len(x))
    tot, correct, n = 0.0, 0, 0
    for i in range(0, len(order), batch_size):
        idx = np.sort(order[i:i + batch_size])
        if len(idx) < 2:  # batch norm needs two cases
            continue
        xb, yb = to_tensor(x[idx]).to(device), torch.as_tensor(y[idx], dtype=torch.long).to(device)
        opt.zero_grad(set_to_none=True)
        logits = model(xb)
        loss = loss_fn(logits, yb)
        loss.backward()
        opt.step()
        tot += float(loss.detach()) * len(idx)
        correct += int((logits.argmax(1) == yb).sum())
        n += len(idx)
    return tot / max(n, 1), correct / max(n, 1)


def two_phase_fit(model: nn.Module, x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
                  phase1_epochs: int = 2, phase2_epochs: int = 10, batch_size: int = 64, base_lr: float = 1e-3,
                  lr_decay: float = 0.5, decay_every: int = 3, seed: int = 0, log=None, device=None,
                  recalibrate: bool = True) -> FitResult:
    """Train ``model`` in two phases and return it with the best validation weights loaded.

    Parameters
    ----------
    x_train, x_val : uint8 arrays (n, H, W, 3); y_train, y_val : int arrays of grades.
    phase1_epochs : int
        Epochs with the matched pretrained tensors frozen (0 skips the phase; when nothing is
        pretrained, phase 1 would train the whole network and is skipped too).
    phase2_epochs, batch_size, base_lr, lr_decay, decay_every
        Phase 2 (the paper: 10, 64, 1e-3, 0.5, 3).
    recalibrate : bool
        Re-estimate batch-norm statistics on the training images after every epoch
        (:func:`recalibrate_batchnorm`) before the validation score.
    device : str or torch.device, optional
        Where to train (default: CUDA when available, else the CPU).  The returned model is on
        the CPU.

    Notes
    -----
    ``history`` has one row per epoch: phase, epoch, train loss and accuracy, validation
    accuracy, seconds.  The kept model is the one with the highest validation accuracy (the
    first such epoch on ties).
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    model.to(device)
    loss_fn = nn.CrossEntropyLoss()
    res = FitResult(model=model)
    best_state, best = None, -1.0
    t0 = time.perf_counter()
    y_val = np.asarray(y_val)

    def run(phase, epochs, opt, frozen_norms):
        nonlocal best_state, best
        for ep in range(epochs):
            te = time.perf_counter()
            loss, acc = _epoch(model, opt, x_train, np.asarray(y_train), batch_size, rng, loss_fn, frozen_norms, device)
            if recalibrate:
                recalibrate_batchnorm(model, x_train, batch_size)
            val_acc = float(np.mean(predict_logits(model, x_val).argmax(1) == y_val)) if len(x_val) else float("nan")
            row = {"phase": phase, "epoch": len(res.history) + 1, "train_loss": loss, "train_accuracy": acc,
                   "val_accuracy": val_acc, "seconds": time.perf_counter() - te}
            res.history.append(row)
            if log:
                log(row)
            if val_acc > best:
                best, best_state = val_acc, copy.deepcopy(model.state_dict())
                res.best_epoch = row["epoch"]

    if phase1_epochs > 0 and getattr(model, "matched_", []):
        set_phase1(model)
        params = [p for p in model.parameters() if p.requires_grad]
        run(1, phase1_epochs, torch.optim.Adam(params, lr=base_lr), _frozen_norms(model))
    for p in model.parameters():
        p.requires_grad = True
    opt = torch.optim.Adam(layerwise_param_groups(model, base_lr, lr_decay, decay_every))
    run(2, phase2_epochs, opt, [])
    if best_state is not None:
        model.load_state_dict(best_state)
    res.best_val_accuracy = best
    res.train_seconds = time.perf_counter() - t0
    model.to("cpu").eval()
    return res
