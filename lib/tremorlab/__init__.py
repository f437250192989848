"""tremorlab: executable companion to five studies of handwriting and hand tremor.

Importing the package is cheap: subpackages load on first use, and nothing here imports torch.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = {"io", "data", "dsp", "run", "report", "synth", "features", "learn", "adaptive", "tremor",
               "vision", "pen"}


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"tremorlab.{name}")
    raise AttributeError(f"module 'tremorlab' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
