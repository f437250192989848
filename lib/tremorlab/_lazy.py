"""Lazy submodules: ``tremorlab.learn.metrics`` works without importing every module up front."""

from __future__ import annotations

import importlib
import pkgutil


def lazy_submodules(package: str, path, names=None, namespace: dict | None = None):
    """``(__getattr__, __dir__)`` for a package whose submodules load on first attribute access.

    ``names`` defaults to every module found on ``path``; ``namespace`` (the package's globals)
    adds its own names to ``dir()``.
    """
    subs = set(names) if names is not None else {m.name for m in pkgutil.iter_modules(path)}

    def __getattr__(name: str):
        if name in subs:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(subs | set(namespace or ()))

    return __getattr__, __dir__
