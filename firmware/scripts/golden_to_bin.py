"""Convert the JSON golden vectors of ``python -m tremorlab.adaptive.golden`` into the binary
form read by firmware/tests/golden_main.cpp (host and Cortex-M7 builds).

    python golden_to_bin.py JSON_DIR OUT_DIR

Format (little-endian): b"TPGV", u32 algorithm id, u32 n_taps, u32 n, f32 mu1, mu2,
regularization, forgetting_factor, p0, process_noise, measurement_noise, u32 n_s, f32 s[n_s],
u32 n_sh, f32 s_hat[n_sh], f32 x[n], f32 d[n], f64 y[n], f64 e[n], f64 w_final[n_taps].
"""
from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

import numpy as np

ALGO_IDS = {"lms": 1, "nlms": 2, "fxlms": 3, "fxnlms": 4, "fxlms_nlms": 5, "rls": 6, "kalman": 7}


def scalars(rec: dict) -> list[float]:
    """Map the Python constructor parameters onto the firmware's FilterConfig fields."""
    p, a = rec["params"], rec["algorithm"]
    mu1 = mu2 = 0.0
    reg, lam, p0, q, r = 1e-10, 1.0, 1.0, 0.0, 1.0
    if a in ("lms", "fxlms"):
        mu1 = p["step_size"]
    elif a in ("nlms", "fxnlms"):
        mu2 = p["step_size"]
    elif a == "fxlms_nlms":
        mu1, mu2 = p["lms_step_size"], p["nlms_step_size"]
    if "regularization" in p and a != "rls":
        reg = p["regularization"]
    if a == "rls":
        lam, p0 = p["forgetting_factor"], 1.0 / p["regularization"]  # P(0) = I / delta
    if a == "kalman":
        q, r, p0 = p["process_noise"], p["measurement_noise"], p["initial_covariance"]
    return [mu1, mu2, reg, lam, p0, q, r]


def convert(src: Path, dst: Path) -> Path:
    rec = json.loads(Path(src).read_text())
    a = rec["algorithm"]
    if a not in ALGO_IDS:
        raise ValueError(f"{src}: field 'algorithm': expected one of {sorted(ALGO_IDS)}, got {a!r}")
    x = np.asarray(rec["x"], "<f4")
    n, taps = x.size, int(rec["n_taps"])
    s = np.asarray(rec.get("secondary_path", []), "<f4")
    sh = np.asarray(rec.get("secondary_path_estimate", []), "<f4")
    out = bytearray(b"TPGV")
    out += struct.pack("<3I", ALGO_IDS[a], taps, n)
    out += np.asarray(scalars(rec), "<f4").tobytes()
    out += struct.pack("<I", s.size) + s.tobytes() + struct.pack("<I", sh.size) + sh.tobytes()
    out += x.tobytes() + np.asarray(rec["d"], "<f4").tobytes()
    out += np.asarray(rec["y"], "<f8").tobytes() + np.asarray(rec["e"], "<f8").tobytes()
    out += np.asarray(rec["w_final"], "<f8").tobytes()
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_suffix(".tmp")
    tmp.write_bytes(bytes(out))
    tmp.replace(dst)
    return dst


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    for src in sorted(Path(argv[0]).glob("*.json")):
        print(convert(src, Path(argv[1]) / (src.stem + ".bin")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
