"""tremorlab: executable companion to five studies of handwriting and hand tremor.

Importing the package is cheap: subpackages load on first use (``lazy_loader.attach``), and nothing
here imports torch.
"""

from __future__ import annotations

import lazy_loader

from tremorlab._version import __version__

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__, submodules=["io", "data", "dsp", "run", "report", "synth", "features", "learn", "adaptive", "tremor",
                          "vision", "pen", "repro", "sweep", "parallel", "paths", "studies", "verdicts", "prose"])
