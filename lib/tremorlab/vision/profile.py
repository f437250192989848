"""Model size, arithmetic and CPU latency (Peng et al. 2025, Table 5).

* parameters: every trainable and frozen tensor element;
* MACs: multiply-accumulates of one forward pass at 1x3x224x224, counted by fvcore's
  ``FlopCountAnalysis`` (which counts one fused multiply-add as one "flop" for convolutions
  and matrix products, plus batch norm and pooling by its own rules; element-wise gates are not
  counted).  FLOPs are reported as 2 x MACs.  The paper's "FLOPs" column (MobileNetV2 0.30 G)
  matches MAC counts, so ETSD-Net's 0.33 "GFLOPs" is compared with our GMACs.
* latency: batch 1, CPU, ``torch.inference_mode``, a warm-up, then the median (and IQR) of
  repeated runs; all models interleaved in the same run so that they share the machine's state.
"""

from __future__ import annotations

import time

import numpy as np
import torch


def n_parameters(model) -> int:
    return int(sum(p.numel() for p in model.parameters()))


def macs(model, size: int = 224) -> int:
    """fvcore multiply-accumulate count of one forward pass at (1, 3, size, size)."""
    import warnings

    with warnings.catch_warnings():  # fvcore's import decorates with the deprecated torch.jit.script
        warnings.simplefilter("ignore", FutureWarning)
        from fvcore.nn import FlopCountAnalysis

    model.eval()
    fca = FlopCountAnalysis(model, torch.zeros(1, 3, size, size))
    fca.unsupported_ops_warnings(False)
    fca.uncalled_modules_warnings(False)
    return int(fca.total())


def latency_ms(models: dict, size: int = 224, repeats: int = 20, warmup: int = 3, threads: int | None = 1,
               seed: int = 0) -> dict:
    """Median, first and third quartile and s.d. of the batch-1 forward time (ms) of each model.

    Models are run in turn within each repetition (interleaved), so that a change of machine
    load affects all of them alike.
    """
    old = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(1, 3, size, size, generator=g)
        times = {k: [] for k in models}
        with torch.inference_mode():
            for m in models.values():
                m.eval()
                for _ in range(warmup):
                    m(x)
            for _ in range(repeats):
                for k, m in models.items():
                    t0 = time.perf_counter()
                    m(x)
                    times[k].append(1e3 * (time.perf_counter() - t0))
    finally:
        torch.set_num_threads(old)
    return {k: {"median": float(np.median(v)), "q1": float(np.percentile(v, 25)), "q3": float(np.percentile(v, 75)),
                "sd": float(np.std(v, ddof=1)) if len(v) > 1 else 0.0, "runs": len(v)} for k, v in times.items()}


def profile_table(models: dict, size: int = 224, repeats: int = 20, threads: int | None = 1):
    """DataFrame: params (M), GMACs, GFLOPs (=2 MACs), latency median / IQR (ms) for each model."""
    import pandas as pd

    lat = latency_ms(models, size, repeats, threads=threads)
    rows = []
    for k, m in models.items():
        mac = macs(m, size)
        rows.append({"model": k, "params_M": n_parameters(m) / 1e6, "GMACs": mac / 1e9, "GFLOPs": 2 * mac / 1e9,
                     "latency_ms": lat[k]["median"], "latency_iqr_ms": lat[k]["q3"] - lat[k]["q1"]})
    return pd.DataFrame(rows).set_index("model")


def train_throughput(models: dict, size: int = 128, batch_size: int = 32, steps: int = 3, warmup: int = 1,
                     threads: int | None = 1, seed: int = 0) -> dict:
    """Training images per second of each model: forward, cross-entropy, backward, an Adam step.

    Each model is copied (its weights are not touched); the models take their steps in turn
    (interleaved, like :func:`latency_ms`, so that a change of machine load affects all alike);
    the median step time over ``steps`` steps after ``warmup`` is used.
    """
    import copy

    old = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(batch_size, 3, size, size, generator=g)
        work = {}
        for k, model in models.items():
            m = copy.deepcopy(model).train()
            n_out = m.get_classifier().out_features if hasattr(m, "get_classifier") else m(x[:2]).shape[1]
            y = torch.randint(0, n_out, (batch_size,), generator=g)
            work[k] = (m, y, torch.optim.Adam(m.parameters(), lr=1e-4))
        times = {k: [] for k in models}
        for i in range(warmup + steps):
            for k, (m, y, opt) in work.items():
                t0 = time.perf_counter()
                opt.zero_grad(set_to_none=True)
                torch.nn.functional.cross_entropy(m(x), y).backward()
                opt.step()
                if i >= warmup:
                    times[k].append(time.perf_counter() - t0)
    finally:
        torch.set_num_threads(old)
    return {k: float(batch_size / np.median(v)) for k, v in times.items()}
