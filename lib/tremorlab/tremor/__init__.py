"""Tremor separation (chapter 3): BMFLC, EBMFLC, WAKE and PHTNet.

Submodules load on first use; nothing here imports torch (PHTNet lives in
:mod:`tremorlab.tremor.phtnet`, which imports torch itself).
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__, submodules=["bmflc", "ebmflc", "wake", "phtnet", "evaluation", "benchmark", "realdata"],
    submod_attrs={"bmflc": ["BMFLC"], "ebmflc": ["EBMFLC"], "wake": ["WAKE"]})
