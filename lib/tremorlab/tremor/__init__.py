"""Tremor separation (chapter 3): BMFLC, EBMFLC, WAKE and PHTNet.

Submodules load on first use; nothing here imports torch (PHTNet lives in
:mod:`tremorlab.tremor.phtnet`, which imports torch itself).
"""

from __future__ import annotations

import importlib

_LAZY = {"BMFLC": "bmflc", "EBMFLC": "ebmflc", "WAKE": "wake"}
_SUBMODULES = {"bmflc", "ebmflc", "wake", "phtnet", "evaluation", "benchmark", "realdata"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"tremorlab.tremor.{_LAZY[name]}"), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"tremorlab.tremor.{name}")
    raise AttributeError(f"module 'tremorlab.tremor' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY) + list(_SUBMODULES))
