"""Provenance of a run: git state, package versions, the environment that picks float kernels."""

from __future__ import annotations

import subprocess

from tremorlab.paths import ROOT

PACKAGES = ("numpy", "scipy", "pandas", "scikit-learn", "numba", "torch", "torchvision", "timm", "papermill",
            "matplotlib", "pymoo", "PyWavelets", "ipywidgets", "jupyter-book")


#: Environment variables that change which float kernels a run gets (recorded in provenance).
KERNEL_ENV = ("ATEN_CPU_CAPABILITY", "DNNL_MAX_CPU_ISA", "NUMBA_CPU_NAME", "OPENBLAS_CORETYPE", "MKL_CBWR",
              "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def git_state() -> dict:
    def git(*args):
        try:
            r = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        except OSError:  # no git on this machine
            return None
        return r.stdout.strip() if r.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def package_versions() -> dict:
    from importlib import metadata

    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out

