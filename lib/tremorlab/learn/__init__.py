"""tremorlab.learn: one module per subject (see CONTRIBUTING.md); submodules load on first use."""

from tremorlab._lazy import lazy_submodules

__getattr__, __dir__ = lazy_submodules(__name__, __path__)
