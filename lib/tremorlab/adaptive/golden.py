"""Golden vectors for the firmware port of the seven filters.

``python -m tremorlab.adaptive.golden OUTDIR`` writes one ``OUTDIR/<algorithm>.json`` per
algorithm (``lms, nlms, fxlms, fxnlms, fxlms_nlms, rls, kalman``) with the keys

=============================  ================================================================
``algorithm``                  the name above
``params``                     the constructor's parameters by name (values float32-representable)
``n_taps``                     number of weights
``x``, ``d``                   inputs per sample (float32-representable float64 values)
``secondary_path``             filtered-x only: FIR taps of the simulated plant ``S``
``secondary_path_estimate``    filtered-x only: FIR taps of ``S^``
``y``, ``e``                   outputs per sample (float64, from ``run``)
``w_final``                    weights after the last sample
=============================  ================================================================

The outputs are produced by the float64 reference (``run``, identical to ``update``), from
a zero initial state (``reset``).  The inputs are an AR(1)-coloured Gaussian reference and a
desired signal from a fixed FIR system plus noise, ``N_SAMPLES = 2000`` samples, seed fixed:
the same call always writes the same files.  Files are written atomically.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from tremorlab._files import write_json_atomic
from tremorlab.adaptive import ALGORITHMS
from tremorlab.adaptive.anc import PRIMARY_PATH, SECONDARY_PATH

N_SAMPLES = 2000
SEED = 20250
#: Unknown system of the plain filters' cases (4 taps).
SYSTEM = np.array([0.5, -0.3, 0.2, 0.1])
#: Parameters per algorithm (before rounding to float32).
PARAMS = {
    "lms": {"n_taps": 4, "step_size": 0.02},
    "nlms": {"n_taps": 4, "step_size": 0.25, "regularization": 1e-3},
    "fxlms": {"n_taps": 2, "step_size": 0.01},
    "fxnlms": {"n_taps": 2, "step_size": 0.05, "regularization": 1e-3},
    "fxlms_nlms": {"n_taps": 2, "lms_step_size": 0.005, "nlms_step_size": 0.02, "regularization": 1e-3},
    "rls": {"n_taps": 4, "forgetting_factor": 0.999, "regularization": 0.01},
    "kalman": {"n_taps": 4, "process_noise": 1e-5, "measurement_noise": 0.01, "initial_covariance": 1.0},
}
#: Secondary-path estimate of the filtered-x cases: the true path with a 10 % gain error on one tap.
SECONDARY_PATH_ESTIMATE = np.array([0.0, 0.75, 0.32])


def f32(a):
    """Round to the nearest float32 and return float64 (so a float32 port sees exactly these values)."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def inputs(algorithm: str, n: int = N_SAMPLES, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """The (x, d) of one algorithm's case, float32-representable."""
    rng = np.random.default_rng([seed, list(ALGORITHMS).index(algorithm)])
    white = rng.standard_normal(n)
    x = np.empty(n)
    acc = 0.0
    for i in range(n):  # AR(1) colouring, pole 0.7 (a coloured input separates LMS from RLS)
        acc = 0.7 * acc + white[i]
        x[i] = acc
    x = f32(x / np.std(x))
    system = PRIMARY_PATH if algorithm.startswith("fx") else SYSTEM
    d = np.convolve(x, system)[:n] + 0.01 * rng.standard_normal(n)
    return x, f32(d)


def case(algorithm: str) -> dict:
    """Run one algorithm on its case; the JSON-ready record."""
    cls = ALGORITHMS[algorithm]
    params = {k: (v if isinstance(v, int) else float(f32(v))) for k, v in PARAMS[algorithm].items()}
    kwargs = dict(params)
    rec = {"algorithm": algorithm}
    if algorithm.startswith("fx"):
        kwargs["secondary_path"] = f32(SECONDARY_PATH)
        kwargs["secondary_path_estimate"] = f32(SECONDARY_PATH_ESTIMATE)
    f = cls(**kwargs)
    x, d = inputs(algorithm)
    y, e = f.run(x, d)
    rec["params"] = f.get_params()
    rec["n_taps"] = f.n_taps
    rec["x"] = x.tolist()
    rec["d"] = d.tolist()
    if algorithm.startswith("fx"):
        rec["secondary_path"] = f.secondary_path.tolist()
        rec["secondary_path_estimate"] = f.secondary_path_estimate.tolist()
    rec["y"] = y.tolist()
    rec["e"] = e.tolist()
    rec["w_final"] = f.w_.tolist()
    return rec


def write(outdir) -> list[Path]:
    """Write every algorithm's golden file into ``outdir`` (created); returns the paths."""
    outdir = Path(outdir)
    return [write_json_atomic(outdir / f"{name}.json", case(name)) for name in ALGORITHMS]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m tremorlab.adaptive.golden OUTDIR", file=sys.stderr)
        return 2
    for p in write(argv[0]):
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
