"""tremorlab.learn: one module per subject (see CONTRIBUTING.md); submodules load on first use."""

import pkgutil

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(__name__, submodules=[m.name for m in pkgutil.iter_modules(__path__)])
