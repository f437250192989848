"""Lazy submodules for the packages that still call :func:`lazy_submodules` (``features``, ``learn``).

A shim over ``lazy_loader.attach`` (what ``tremorlab`` and ``tremorlab.synth`` call directly): when
those two ``__init__`` files call ``lazy_loader.attach`` too, this module goes.
"""

from __future__ import annotations

import pkgutil

import lazy_loader


def lazy_submodules(package: str, path):
    """``(__getattr__, __dir__)`` of ``lazy_loader.attach`` for every module found on ``path``."""
    getattr_, dir_, _ = lazy_loader.attach(package, submodules=[m.name for m in pkgutil.iter_modules(path)])
    return getattr_, dir_
