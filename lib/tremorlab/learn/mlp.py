"""Multilayer perceptron with a per-layer activation, trained as many repetitions at once.

The classifier of Loconsole et al. (2019), section "Feature selection and classification", is a
MATLAB-style pattern-recognition network whose topology (1-3 hidden layers, their sizes, and
each layer's transfer function) is chosen by a genetic algorithm (:mod:`tremorlab.learn.moga`).
Each hidden layer ``l`` computes

.. math::  h_l = \\phi_l(W_l h_{l-1} + b_l), \\qquad
           \\phi \\in \\{\\text{logsig}, \\text{tansig}, \\text{purelin}, \\text{satlins}\\},

with ``logsig(z) = 1 / (1 + e^{-z})``, ``tansig(z) = tanh(z)``, ``purelin(z) = z`` and
``satlins(z) = min(max(z, -1), 1)`` (a hard tanh); the output layer is a softmax over the
classes, trained by cross-entropy.

The paper evaluates a topology over 250 repetitions that differ in the initial weights and in
the train/validation permutation.  :class:`BatchedMLP` trains all repetitions together: the
weights of repetition ``r`` are slices ``W[r]`` of batched tensors, the loss is the sum of the
per-repetition mean training losses, and the optimiser (resilient back-propagation, Rprop,
MATLAB's ``trainrp``) updates every weight from its own gradient only.  Repetition ``r``
therefore follows exactly the trajectory it would follow alone; the batch only removes the
Python overhead of 250 tiny trainings.  Every subject of a repetition's training set is in
the one full batch of every epoch.

Choices where the paper is silent (stated here and in the chapter): inputs standardised with
the training part of each repetition; uniform ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``
initialisation from a per-repetition seed; Rprop; early stopping on the validation part with a
patience of ``patience`` epochs (MATLAB's ``max_fail``), keeping the weights of the best
validation loss.

torch is imported inside this module only (``import tremorlab`` stays light).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from tremorlab import parallel

__all__ = ["ACTIVATIONS", "Topology", "BatchedMLP", "activation"]

#: The transfer functions of the MATLAB toolbox the paper used, in genome order.
ACTIVATIONS = ("logsig", "tansig", "purelin", "satlins")


def activation(name: str, z: torch.Tensor) -> torch.Tensor:
    """Apply the transfer function ``name`` (one of :data:`ACTIVATIONS`)."""
    if name == "logsig":
        return torch.sigmoid(z)
    if name == "tansig":
        return torch.tanh(z)
    if name == "purelin":
        return z
    if name == "satlins":
        return torch.clamp(z, -1.0, 1.0)
    raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}")


@dataclass(frozen=True)
class Topology:
    """Hidden layers as ``((neurons, activation), ...)``; 1 to 3 layers of >= 1 neuron."""

    layers: tuple[tuple[int, str], ...]

    def __post_init__(self):
        layers = tuple((int(n), str(a)) for n, a in self.layers)
        if not 1 <= len(layers) <= 3:
            raise ValueError(f"a topology has 1 to 3 hidden layers, got {len(layers)}")
        for n, a in layers:
            if n < 1:
                raise ValueError(f"every hidden layer needs >= 1 neuron, got {layers}")
            if a not in ACTIVATIONS:
                raise ValueError(f"activation must be one of {ACTIVATIONS}, got {a!r}")
        object.__setattr__(self, "layers", layers)

    @classmethod
    def from_genome(cls, n_layers: int, neurons, activations) -> "Topology":
        """Decode the GA genome of the paper: ``n_layers`` in 1..3, neurons (first 1-256, others
        0-255; a 0 drops that layer) and activation indices into :data:`ACTIVATIONS`."""
        n_layers = int(n_layers)
        layers = [(int(neurons[0]), ACTIVATIONS[int(activations[0])])]
        for k in range(1, n_layers):
            if int(neurons[k]) > 0:
                layers.append((int(neurons[k]), ACTIVATIONS[int(activations[k])]))
        return cls(tuple(layers))

    def sizes(self) -> tuple[int, ...]:
        return tuple(n for n, _ in self.layers)

    def n_params(self, n_inputs: int, n_classes: int = 2) -> int:
        """Number of weights and biases of the network."""
        dims = [n_inputs, *self.sizes(), n_classes]
        return int(sum((a + 1) * b for a, b in zip(dims[:-1], dims[1:])))

    def __str__(self) -> str:
        return " | ".join(f"{n} {a}" for n, a in self.layers)


def _init_weights(dims, seed: int, rep: int, dtype) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(int(np.random.SeedSequence([seed, rep]).generate_state(1)[0]))
    out = []
    for a, b in zip(dims[:-1], dims[1:]):
        bound = 1.0 / np.sqrt(a)
        w = (torch.rand(a, b, generator=g, dtype=torch.float64) * 2 - 1) * bound
        c = (torch.rand(1, b, generator=g, dtype=torch.float64) * 2 - 1) * bound
        out.append((w.to(dtype), c.to(dtype)))
    return out


class BatchedMLP:
    """Many repetitions of one MLP topology, trained in one batch.

    Parameters
    ----------
    topology : Topology
    max_epochs : int
        Upper limit of full-batch epochs.
    patience : int
        A repetition stops after this many epochs without a lower validation loss (its best
        weights are frozen from then on, exactly as if it had trained alone); the batch ends
        when every repetition has stopped or at ``max_epochs``.
    learning_rate : float
        Initial Rprop step.
    seed : int
        Repetition ``r`` is initialised from ``SeedSequence([seed, r])``.
    chunk : int
        Repetitions per batch (bounds memory for wide networks).
    dtype : torch dtype

    Attributes
    ----------
    params_ : list of (W, b) with shapes (R, in, out), (R, 1, out) -- best validation weights
    mean_, scale_ : ndarray (R, 1, d) -- per-repetition input standardisation
    best_epoch_, n_epochs_ : ndarray (R,)
    classes_ : ndarray
    """

    def __init__(self, topology: Topology, max_epochs: int = 200, patience: int = 10,
                 learning_rate: float = 0.01, seed: int = 0, chunk: int = 64, dtype=torch.float32):
        self.topology = topology
        self.max_epochs = max_epochs
        self.patience = patience
        self.learning_rate = learning_rate
        self.seed = seed
        self.chunk = chunk
        self.dtype = dtype

    # -- helpers -------------------------------------------------------------------------
    def _forward(self, params, Xb: torch.Tensor) -> torch.Tensor:
        h = Xb
        for (w, b), (_, act) in zip(params[:-1], self.topology.layers):
            h = activation(act, torch.baddbmm(b, h, w))
        w, b = params[-1]
        return torch.baddbmm(b, h, w)  # logits (R, n, C)

    def fit(self, X, y, train_mask, val_mask=None) -> "BatchedMLP":
        """Train one network per row of ``train_mask``.

        Parameters
        ----------
        X : array (n, d); y : array (n,) of class labels
        train_mask : bool array (R, n) -- the training cases of each repetition
        val_mask : bool array (R, n), optional -- validation cases for early stopping
            (without it, every repetition trains ``max_epochs`` epochs)
        """
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y)
        if X.ndim != 2 or y.shape != (X.shape[0],):
            raise ValueError(f"X must be (n, d) and y (n,), got {X.shape} and {y.shape}")
        if not np.isfinite(X).all():
            i, j = np.argwhere(~np.isfinite(X))[0]
            raise ValueError(f"X has a non-finite value at case {i}, feature {j}")
        train_mask = np.atleast_2d(np.asarray(train_mask, dtype=bool))
        if train_mask.shape[1] != X.shape[0]:
            raise ValueError(f"train_mask must be (R, {X.shape[0]}), got {train_mask.shape}")
        if (train_mask.sum(axis=1) < 2).any():
            raise ValueError("every repetition needs at least 2 training cases")
        val_mask = None if val_mask is None else np.atleast_2d(np.asarray(val_mask, dtype=bool))
        self.classes_, yi = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"y must hold at least 2 classes, got {self.classes_.tolist()}")
        n_classes = max(len(self.classes_), 2)
        R = train_mask.shape[0]
        dims = [X.shape[1], *self.topology.sizes(), n_classes]
        # per-repetition standardisation from its training cases
        m = train_mask[:, :, None]
        cnt = m.sum(axis=1, keepdims=True)
        mean = (X[None] * m).sum(axis=1, keepdims=True) / cnt
        var = (((X[None] - mean) ** 2) * m).sum(axis=1, keepdims=True) / cnt
        scale = np.sqrt(var)
        scale[scale == 0] = 1.0
        self.mean_, self.scale_ = mean, scale
        self.params_ = [(np.empty((R, a, b)), np.empty((R, 1, b))) for a, b in zip(dims[:-1], dims[1:])]
        self.best_epoch_ = np.zeros(R, dtype=int)
        self.n_epochs_ = np.zeros(R, dtype=int)
        self.best_val_loss_ = np.full(R, np.nan)
        # chunks of repetitions are independent (each repetition's seed is its index): the executor
        # spreads them over Dask workers when a client is active, else runs them in turn
        spec = BatchedMLP(self.topology, self.max_epochs, self.patience, self.learning_rate, self.seed,
                          self.chunk, self.dtype)
        slices = [slice(s, min(R, s + self.chunk)) for s in range(0, R, self.chunk)]
        Xs = [(X[None] - mean[sl]) / scale[sl] for sl in slices]
        results = parallel.pmap(_train_chunk, [spec] * len(slices), Xs, [yi] * len(slices), [dims] * len(slices),
                                [train_mask[sl] for sl in slices],
                                [None if val_mask is None else val_mask[sl] for sl in slices], slices)
        for sl, (best, best_epoch, n_epochs, best_loss) in zip(slices, results):
            for k, (w, b) in enumerate(best):
                self.params_[k][0][sl] = w
                self.params_[k][1][sl] = b
            self.best_epoch_[sl] = best_epoch
            self.n_epochs_[sl] = n_epochs
            self.best_val_loss_[sl] = best_loss
        return self

    def _fit_chunk(self, Xs_np, yi, dims, tmask, vmask, sl):
        """Train repetitions ``sl`` (standardised inputs ``Xs_np``, shape (R, n, d)); returns
        ``(best params as float64 arrays, best epoch, epochs run, best validation loss)``."""
        dt = self.dtype
        reps = range(sl.start, sl.stop)
        R = len(reps)
        Xs = torch.as_tensor(Xs_np, dtype=dt)
        init = [_init_weights(dims, self.seed, r, dt) for r in reps]
        params = []
        for k in range(len(dims) - 1):
            w = torch.stack([init[i][k][0] for i in range(R)]).requires_grad_(True)
            b = torch.stack([init[i][k][1] for i in range(R)]).requires_grad_(True)
            params.append((w, b))
        flat = [p for pair in params for p in pair]
        opt = torch.optim.Rprop(flat, lr=self.learning_rate)
        Y = torch.as_tensor(yi, dtype=torch.long).expand(R, -1)
        tw = torch.as_tensor(tmask, dtype=dt)
        tw = tw / tw.sum(dim=1, keepdim=True)
        vw = None
        if vmask is not None:
            vw = torch.as_tensor(vmask, dtype=dt)
            vw = vw / vw.sum(dim=1, keepdim=True).clamp_min(1.0)
        best = [(w.detach().clone(), b.detach().clone()) for w, b in params]
        best_loss = torch.full((R,), float("inf"), dtype=dt)
        best_epoch = torch.zeros(R, dtype=torch.long)
        stale = torch.zeros(R, dtype=torch.long)
        stopped = torch.zeros(R, dtype=torch.bool)
        stop_epoch = torch.full((R,), self.max_epochs, dtype=torch.long)
        n_epochs = 0
        for epoch in range(1, self.max_epochs + 1):
            opt.zero_grad(set_to_none=True)
            logits = self._forward(params, Xs)
            ce = torch.nn.functional.cross_entropy(logits.transpose(1, 2), Y, reduction="none")  # (R, n)
            (ce * tw).sum().backward()
            opt.step()
            n_epochs = epoch
            if vw is None:
                continue
            with torch.no_grad():
                logits = self._forward(params, Xs)
                ce = torch.nn.functional.cross_entropy(logits.transpose(1, 2), Y, reduction="none")
                vloss = (ce * vw).sum(dim=1)
                # a repetition that ran out of patience is frozen, as if it had trained alone
                better = (vloss < best_loss) & ~stopped
                best_loss = torch.where(better, vloss, best_loss)
                best_epoch = torch.where(better, torch.full_like(best_epoch, epoch), best_epoch)
                stale = torch.where(better, torch.zeros_like(stale), stale + 1)
                newly = (stale >= self.patience) & ~stopped
                stop_epoch = torch.where(newly, torch.full_like(stop_epoch, epoch), stop_epoch)
                stopped |= newly
                for k, (w, b) in enumerate(params):
                    bw, bb = best[k]
                    best[k] = (torch.where(better[:, None, None], w, bw), torch.where(better[:, None, None], b, bb))
            if bool(stopped.all()):
                break
        if vw is None:
            best = [(w.detach(), b.detach()) for w, b in params]
            best_epoch = torch.full((R,), n_epochs, dtype=torch.long)
        return ([(w.double().numpy(), b.double().numpy()) for w, b in best], best_epoch.numpy(),
                stop_epoch.numpy() if vw is not None else n_epochs,
                best_loss.double().numpy() if vw is not None else np.nan)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities of every repetition, shape (R, n, n_classes)."""
        X = np.asarray(X, dtype=np.float64)
        Xs = torch.as_tensor((X[None] - self.mean_) / self.scale_, dtype=torch.float64)
        params = [(torch.as_tensor(w), torch.as_tensor(b)) for w, b in self.params_]
        with torch.no_grad():
            return torch.softmax(self._forward(params, Xs), dim=-1).numpy()

    def predict(self, X) -> np.ndarray:
        """Predicted labels of every repetition, shape (R, n)."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=-1)]


def _train_chunk(spec: BatchedMLP, Xs, yi, dims, tmask, vmask, sl):
    """One executor task: a chunk of repetitions trained by a parameters-only copy of the model."""
    return spec._fit_chunk(Xs, yi, dims, tmask, vmask, sl)
