"""Adaptive filters of chapter 2 (and the pen firmware): LMS, NLMS, Fx-LMS, Fx-NLMS, Fx-LMS/NLMS, RLS, Kalman.

Each filter has ``reset()``, ``update(x, d)`` (one sample, plain scalar loops, what the pen
runs) and ``run(x, d)`` (numba, identical arithmetic).  ``tremorlab.adaptive.anc`` builds the
active-control simulation, ``montecarlo`` the chapter's experiments, ``golden`` the test
vectors of the firmware and ``registry`` the one table of names, firmware ids and parameters.  Importing this package imports numba (never done by ``import tremorlab``).
"""

from tremorlab.adaptive import registry
from tremorlab.adaptive.base import AdaptiveFilter, FilterDivergedError, StabilityError, lms_step_bound
from tremorlab.adaptive.fxlms import FxLMS, FxLMSNLMS, FxNLMS, filtered_reference
from tremorlab.adaptive.kalman import Kalman
from tremorlab.adaptive.lms import LMS
from tremorlab.adaptive.nlms import NLMS
from tremorlab.adaptive.rls import RLS

#: Algorithm name -> class in firmware-id order (the names of the golden-vector files); see :mod:`.registry`.
ALGORITHMS = dict(registry.REGISTRY)

__all__ = ["ALGORITHMS", "AdaptiveFilter", "FilterDivergedError", "FxLMS", "FxLMSNLMS", "FxNLMS", "Kalman", "LMS",
           "NLMS", "RLS", "StabilityError", "filtered_reference", "lms_step_bound", "registry"]
