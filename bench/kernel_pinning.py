"""Can pinning the float kernels make CPU training bitwise identical, and at what cost?  (issue #24, item 7)

    python bench/kernel_pinning.py [--steps 40] [--repeats 2]

Trains the same small network (a 3-layer CNN on fixed random 64 x 64 images, SGD with momentum,
batch 16, one torch thread, one seed) in a fresh process per kernel choice and prints, per choice,
the SHA-256 of the final weights, the largest weight difference to the native run and the
training time.  The choices are this CPU's native kernels, ATen's AVX2 and default (oldest)
capabilities, the book's ``portable`` variant (ATen default, oneDNN capped at SSE4.1, numba
generic), and ``portable`` with MKL's conditional numerical reproducibility (``MKL_CBWR=COMPATIBLE``)
and oneDNN's convolutions switched off (``torch.backends.mkldnn.enabled = False``), the strictest
pinning torch offers on a CPU.  Equal digests on one CPU are necessary, not sufficient, for equal
digests on another vendor's CPU: that needs the same run there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time

CHOICES = {
    "native": {},
    "aten-avx2": {"ATEN_CPU_CAPABILITY": "avx2"},
    "aten-default": {"ATEN_CPU_CAPABILITY": "default"},
    "portable": {"ATEN_CPU_CAPABILITY": "default", "DNNL_MAX_CPU_ISA": "SSE41", "NUMBA_CPU_NAME": "generic"},
    "portable+cbwr-no-onednn": {"ATEN_CPU_CAPABILITY": "default", "DNNL_MAX_CPU_ISA": "SSE41",
                                "NUMBA_CPU_NAME": "generic", "MKL_CBWR": "COMPATIBLE", "PIN_NO_ONEDNN": "1"},
}

CHILD = r"""
import hashlib, json, os, sys, time
import numpy as np, torch
torch.set_num_threads(1)
if os.environ.get("PIN_NO_ONEDNN"):
    torch.backends.mkldnn.enabled = False
steps = int(sys.argv[1])
torch.manual_seed(0)
rng = np.random.default_rng(0)
x = torch.tensor(rng.normal(size=(256, 1, 64, 64)), dtype=torch.float32)
y = torch.tensor(rng.integers(0, 5, 256))
net = torch.nn.Sequential(torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU(),
                          torch.nn.MaxPool2d(2), torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(),
                          torch.nn.AdaptiveAvgPool2d(4), torch.nn.Flatten(), torch.nn.Linear(512, 5))
opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
t0 = time.perf_counter()
for step in range(steps):
    i = torch.tensor(rng.integers(0, 256, 16))
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(net(x[i]), y[i])
    loss.backward()
    opt.step()
wall = time.perf_counter() - t0
w = torch.cat([p.detach().flatten() for p in net.parameters()]).numpy()
np.save(sys.argv[2], w)
print(json.dumps({"sha256": hashlib.sha256(w.tobytes()).hexdigest()[:16], "wall_s": wall,
                  "capability": torch.backends.cpu.get_cpu_capability(), "loss": float(loss)}))
"""


def main() -> int:
    import numpy as np

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--repeats", type=int, default=2, help="runs per choice (the time is their minimum)")
    args = ap.parse_args()
    out, ref = {}, None
    for name, env in CHOICES.items():
        runs = []
        for r in range(args.repeats):
            path = f"/tmp/kernel_pinning_{name}_{r}.npy"
            p = subprocess.run([sys.executable, "-c", CHILD, str(args.steps), path], env={**os.environ, **env},
                               capture_output=True, text=True, check=True)
            runs.append({**json.loads(p.stdout.strip().splitlines()[-1]), "weights": np.load(path)})
        w = runs[0]["weights"]
        ref = w if ref is None else ref
        out[name] = {"sha256": runs[0]["sha256"], "same_across_repeats": len({r["sha256"] for r in runs}) == 1,
                     "max_abs_diff_to_native": float(np.max(np.abs(w - ref))),
                     "wall_s": round(min(r["wall_s"] for r in runs), 3), "capability": runs[0]["capability"]}
    base = out["native"]["wall_s"]
    for name, r in out.items():
        print(f"{name:26s} {r['capability']:8s} sha256 {r['sha256']}  repeat-stable {r['same_across_repeats']!s:5s} "
              f"max|w - native| {r['max_abs_diff_to_native']:.3g}  {r['wall_s']:.2f} s ({r['wall_s'] / base:.2f} x native)")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
