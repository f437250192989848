"""PHTNet: a deep bidirectional GRU that estimates and predicts voluntary hand motion.

Shahtalebi, Atashzar, Samotus, Patel, Jog & Mohammadi (2020), "PHTNet: characterization and
deep mining of involuntary pathological hand tremor using recurrent neural network models",
Scientific Reports 10, 2195; Sections "Internal architecture", "Proposed geometry" and Fig. 2.

Architecture.  Two *separate* stacks of ``num_layers`` GRU layers with ``hidden_size`` units:
the forward stack reads the window from its first to its last sample and drives the online
(predictive) output; the backward stack reads it from the last to the first sample and drives
the offline output.  The two paths are never merged (no mixing matrix, Fig. 2c), so the forward
output at time ``t`` depends on samples ``<= t`` only and can run in real time.  (A stacked
``torch.nn.GRU(bidirectional=True)`` would feed both directions of layer ``l`` into layer
``l + 1`` and break that causality, which is why two stacks are used.)  Each path ends in its
own linear read-out of the top hidden state.  The paper's candidate state uses ReLU; we use
PyTorch's standard GRU (tanh), which is what its fused kernels provide.  The input (in
[0, 1]) is centred by subtracting 0.5 and the output shifted back, a fixed affine map.

Training (Fig. 2d): the target is the voluntary ground truth advanced by one sample,
``y(t_1 : t) ~ m_v(t_1 + 1 : t + 1)``; loss the MSE of both outputs; Adam.  The paper: 4 x 400,
4-s windows at 100 Hz, learning rate 1e-4.

Streaming (:class:`ForwardStreamer`): the trained forward stack run one sample at a time with
its hidden state carried; for a stream that starts where a window starts, its outputs equal the
windowed forward outputs (tested), at a fixed cost per sample.

Torch is imported here only; ``import tremorlab`` stays free of it.
"""

from __future__ import annotations

import copy
import os
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from tremorlab import parallel
from tremorlab._files import atomic_write
from tremorlab.tremor._fourier import check_signal
from tremorlab.tremor.evaluation import window_mse


@dataclass(frozen=True)
class PHTNetConfig:
    """Sizes of a PHTNet and the sampling rate it was trained at."""

    hidden_size: int = 400
    num_layers: int = 4
    window: int = 400
    sampling_rate_hz: float = 100.0

    def __post_init__(self):
        for name in ("hidden_size", "num_layers", "window"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"PHTNetConfig.{name} must be a positive integer, got {v!r}")
        if not np.isfinite(self.sampling_rate_hz) or self.sampling_rate_hz <= 0:
            raise ValueError(f"PHTNetConfig.sampling_rate_hz must be positive, got {self.sampling_rate_hz!r}")


class PHTNet(nn.Module):
    """Forward (online) and backward (offline) GRU stacks with separate read-outs."""

    def __init__(self, config: PHTNetConfig | None = None, **sizes):
        super().__init__()
        self.config = config if config is not None else PHTNetConfig(**sizes)
        h, n = self.config.hidden_size, self.config.num_layers
        self.forward_gru = nn.GRU(1, h, n, batch_first=True)
        self.backward_gru = nn.GRU(1, h, n, batch_first=True)
        self.forward_head = nn.Linear(h, 1)
        self.backward_head = nn.Linear(h, 1)

    def forward_path(self, x: torch.Tensor, state: torch.Tensor | None = None):
        """Forward output (B, T) and the final state for input x (B, T)."""
        out, state = self.forward_gru((x - 0.5).unsqueeze(-1), state)
        return self.forward_head(out).squeeze(-1) + 0.5, state

    def backward_path(self, x: torch.Tensor) -> torch.Tensor:
        """Backward output (B, T), aligned with the input (reads the window in reverse)."""
        out, _ = self.backward_gru((x.flip(1) - 0.5).unsqueeze(-1))
        return (self.backward_head(out).squeeze(-1) + 0.5).flip(1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(forward_output, backward_output)``, each (B, T), for windows x (B, T)."""
        yf, _ = self.forward_path(x)
        return yf, self.backward_path(x)

    def n_parameters(self) -> int:
        return int(sum(p.numel() for p in self.parameters()))


def set_determinism(seed: int, threads: int | None = None) -> None:
    """Seed torch and numpy; optionally fix the number of CPU threads (results depend on it)."""
    torch.manual_seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    if threads is not None:
        torch.set_num_threads(int(threads))


def _check_windows(x, config: PHTNetConfig, rate_hz: float | None, name: str = "windows",
                   min_length: int = 2) -> np.ndarray:
    if rate_hz is not None and not np.isclose(float(rate_hz), config.sampling_rate_hz):
        raise ValueError(f"{name}: sampled at {rate_hz} Hz but this PHTNet was trained at "
                         f"{config.sampling_rate_hz} Hz; resample the signal to {config.sampling_rate_hz} Hz "
                         "first (e.g. tremorlab.dsp.resample_uniform or scipy.signal.resample_poly)")
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2:
        raise ValueError(f"{name}: expected shape (n_windows, n_samples) or (n_samples,), got {x.shape}")
    bad = ~np.isfinite(x)
    if bad.any():
        w, i = np.argwhere(bad)[0]
        raise ValueError(f"{name}: window {w}, sample {i} is {float(x[w, i])}; every sample must be finite")
    if x.shape[1] < min_length:
        raise ValueError(f"{name}: {x.shape[1]} samples, shorter than the {min_length} needed "
                         f"(one window of {config.window} samples = {config.window / config.sampling_rate_hz:g} s)")
    return x


def predict(model: PHTNet, windows, rate_hz: float | None = None, batch_size: int = 256
            ) -> tuple[np.ndarray, np.ndarray]:
    """Forward and backward outputs for windows (n, T) (or one signal (T,)), as numpy."""
    x = _check_windows(windows, model.config, rate_hz)
    model.eval()
    outs_f, outs_b = [], []
    with torch.no_grad():
        for i in range(0, x.shape[0], batch_size):
            xb = torch.as_tensor(x[i:i + batch_size], dtype=torch.float32)
            yf, yb = model(xb)
            outs_f.append(yf.numpy())
            outs_b.append(yb.numpy())
    return np.concatenate(outs_f).astype(float), np.concatenate(outs_b).astype(float)


def offline_sliding(model: PHTNet, signal, rate_hz: float | None = None, step: int = 50) -> np.ndarray:
    """Offline estimate of a long signal with the backward path (the paper's Fig. 9 scheme).

    The model's window slides over the signal in hops of ``step`` samples; from each window we
    keep the first ``step`` samples of the backward output (the best-informed part of it, as
    they come last in the backward reading).  The tail that no full hop covers is taken from
    the last window.  The signal must hold at least one window.
    """
    cfg = model.config
    s = _check_windows(signal, cfg, rate_hz, name="signal", min_length=cfg.window)
    if s.shape[0] != 1:
        raise ValueError("offline_sliding takes one 1-D signal")
    s = s[0]
    if not 1 <= step <= cfg.window:
        raise ValueError(f"step must be 1..{cfg.window}, got {step}")
    starts = list(range(0, s.size - cfg.window + 1, step))
    tail_start = s.size - cfg.window            # a last window flush with the end of the signal
    extra = [tail_start] if tail_start != starts[-1] else []
    wins = np.stack([s[a:a + cfg.window] for a in starts + extra])
    _, yb = predict(model, wins)
    out = np.empty_like(s)
    for a, y in zip(starts, yb):
        out[a:a + step] = y[:step]
    covered = starts[-1] + step                 # >= tail_start, so the last window reaches it
    out[covered:] = yb[-1][covered - (starts + extra)[-1]:]
    return out


class ForwardStreamer:
    """The forward (online) path, one sample at a time, state carried between samples.

    ``update(sample)`` returns the forward output for that sample: the network's estimate of
    the *next* sample's voluntary motion.  Cost per sample is fixed (one GRU step per layer).
    """

    def __init__(self, model: PHTNet):
        self.model = model.eval()
        self.reset()

    def reset(self) -> "ForwardStreamer":
        self._state = None
        self.n_seen_ = 0
        return self

    def update(self, sample: float) -> float:
        v = float(sample)
        if not np.isfinite(v):
            raise ValueError(f"sample {self.n_seen_} is {v!r}; every sample must be finite")
        with torch.no_grad():
            y, self._state = self.model.forward_path(torch.tensor([[v]], dtype=torch.float32), self._state)
        self.n_seen_ += 1
        return float(y[0, 0])

    def run(self, signal) -> np.ndarray:
        """Stream a whole signal through :meth:`update` (continuing from the current state)."""
        s = check_signal(signal)
        return np.array([self.update(v) for v in s])


def train(model: PHTNet, x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray | None = None,
          y_val: np.ndarray | None = None, epochs: int = 10, batch_size: int = 32, learning_rate: float = 1e-4,
          seed: int = 0, log=None) -> dict:
    """Train with MSE on both paths against the one-sample-ahead target (Adam).

    ``x_*`` are input windows (n, T); ``y_*`` the voluntary ground truth advanced by one sample,
    same shape.  Keeps the weights of the epoch with the lowest validation loss (when a
    validation set is given).  Returns the history: per-epoch train/val loss and seconds.
    """
    x_train = _check_windows(x_train, model.config, None, "x_train")
    y_train = _check_windows(y_train, model.config, None, "y_train")
    if x_train.shape != y_train.shape:
        raise ValueError(f"x_train {x_train.shape} and y_train {y_train.shape} differ in shape")
    gen = torch.Generator().manual_seed(int(seed))
    torch.manual_seed(int(seed))
    opt = torch.optim.Adam(model.parameters(), lr=learning_rate)
    xt = torch.as_tensor(x_train, dtype=torch.float32)
    yt = torch.as_tensor(y_train, dtype=torch.float32)
    hist = {"train_loss": [], "val_loss": [], "seconds": []}
    best, best_state = np.inf, None
    for epoch in range(int(epochs)):
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(xt.shape[0], generator=gen)
        total = 0.0
        for i in range(0, xt.shape[0], batch_size):
            idx = perm[i:i + batch_size]
            yf, yb = model(xt[idx])
            loss = nn.functional.mse_loss(yf, yt[idx]) + nn.functional.mse_loss(yb, yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * idx.numel()
        hist["train_loss"].append(total / xt.shape[0])
        if x_val is not None:
            yf, yb = predict(model, x_val)
            val = float(np.mean((yf - y_val) ** 2) + np.mean((yb - y_val) ** 2))
            hist["val_loss"].append(val)
            if val < best:
                best, best_state = val, copy.deepcopy(model.state_dict())
        hist["seconds"].append(time.perf_counter() - t0)
        if log is not None:
            log(f"epoch {epoch + 1}/{epochs}: train {hist['train_loss'][-1]:.5f}"
                + (f", val {hist['val_loss'][-1]:.5f}" if hist["val_loss"] else ""))
    if best_state is not None:
        model.load_state_dict(best_state)
    hist["best_epoch"] = int(np.argmin(hist["val_loss"])) + 1 if hist["val_loss"] else int(epochs)
    return hist


def grid_search(windows_by_length: dict, layers, hidden_size: int, epochs: int, batch_size: int,
                learning_rate: float, seed: int, rate_hz: float, threads: int | None = None) -> list[dict]:
    """The chapter's architecture grid: layers x window length, scored on validation windows.

    ``windows_by_length`` maps a window length in s to ``(train, validation)`` window sets as
    :func:`tremorlab.synth.tremor_atlas.pseudo_action_windows` returns them (``input`` and
    ``truth``, one window per row).  Each grid point trains a fresh network from ``seed`` (the
    points are independent: one executor task each, so the result does not depend on where they
    ran) and returns the forward and backward window MSE and the one-sample-ahead prediction MSE.
    Rows in the order layers (outer) x window length (inner).
    """
    points = [(L, ws) for L in layers for ws in windows_by_length]
    return parallel.pmap(_grid_point, [windows_by_length[ws] for _, ws in points], [L for L, _ in points],
                         [ws for _, ws in points], [hidden_size] * len(points), [epochs] * len(points),
                         [batch_size] * len(points), [learning_rate] * len(points), [seed] * len(points),
                         [rate_hz] * len(points), [threads] * len(points))


def _grid_point(windows, num_layers: int, window_s: float, hidden_size: int, epochs: int, batch_size: int,
                learning_rate: float, seed: int, rate_hz: float, threads: int | None) -> dict:
    train_set, val_set = windows
    set_determinism(seed, threads=threads or None)
    m = PHTNet(PHTNetConfig(hidden_size=hidden_size, num_layers=num_layers, window=int(round(window_s * rate_hz)),
                            sampling_rate_hz=rate_hz))
    train(m, train_set["input"][:, :-1], train_set["truth"][:, 1:], epochs=epochs, batch_size=batch_size,
          learning_rate=learning_rate, seed=seed)
    yf, yb = predict(m, val_set["input"][:, :-1])
    y = val_set["truth"][:, 1:]
    return {"layers": num_layers, "window (s)": window_s, "forward MSE": round(float(window_mse(yf, y).mean()), 5),
            "backward MSE": round(float(window_mse(yb, y).mean()), 5),
            "prediction (last sample)": round(float(np.mean((yf[:, -1] - y[:, -1]) ** 2)), 5)}


def save(model: PHTNet, path: str | os.PathLike) -> None:
    """Write the weights and the config atomically (temporary file + rename)."""
    with atomic_write(path, "wb") as fh:
        torch.save({"config": asdict(model.config), "state_dict": model.state_dict()}, fh)


def load(path: str | os.PathLike) -> PHTNet:
    blob = torch.load(os.fspath(path), map_location="cpu", weights_only=True)
    model = PHTNet(PHTNetConfig(**blob["config"]))
    model.load_state_dict(blob["state_dict"])
    return model.eval()
