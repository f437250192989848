"""tremorlab: executable companion to five studies of handwriting and hand tremor.

Importing the package is cheap: subpackages load on first use, and nothing here imports torch.
"""

from __future__ import annotations

from tremorlab._lazy import lazy_submodules
from tremorlab._version import __version__

__getattr__, __dir__ = lazy_submodules(
    __name__, __path__, names=("io", "data", "dsp", "run", "report", "synth", "features", "learn", "adaptive",
                               "tremor", "vision", "pen", "repro", "sweep", "parallel", "paths", "studies",
                               "verdicts", "prose"), namespace=globals())
