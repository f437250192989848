"""The one table of adaptive filters: every name, id, arrangement, parameter set and grid, from the classes.

Each filter class declares its entry (padasip-style, see :class:`~tremorlab.adaptive.base.AdaptiveFilter`):
``algorithm`` (its name), ``display_name``, ``firmware_id`` (``tp::Algorithm``), ``arrangement``
(plain or filtered-x), ``paper_params`` and ``search_grid``.  Everything else reads them here:
``tremorlab.adaptive.ALGORITHMS``, ``anc.make_filter`` / ``anc.FILTERED_X``,
``montecarlo.PAPER_PARAMS`` / ``default_grid``, ``pen.protocol.ALGORITHMS`` (id 0 is the
firmware's "off") and chapter 2's display names.  ``tests/test_adaptive_registry.py`` checks the
table against the firmware's ``tp::Algorithm`` and ``is_filtered_x``.
"""

from __future__ import annotations

from tremorlab.adaptive.base import ARRANGEMENTS, FILTERED_X, PLAIN, AdaptiveFilter
from tremorlab.adaptive.fxlms import FxLMS, FxLMSNLMS, FxNLMS
from tremorlab.adaptive.kalman import Kalman
from tremorlab.adaptive.lms import LMS
from tremorlab.adaptive.nlms import NLMS
from tremorlab.adaptive.rls import RLS

#: The firmware's id 0: no filter, motor idle.
OFF = "off"


def _check(classes) -> dict[str, type[AdaptiveFilter]]:
    """Name -> class in firmware-id order, after checking that every declaration is complete and unique."""
    out: dict[str, type[AdaptiveFilter]] = {}
    for cls in sorted(classes, key=lambda c: c.firmware_id):
        where = f"{cls.__module__}.{cls.__name__}"
        if not cls.display_name or cls.algorithm in out or cls.algorithm in ("adaptive", OFF):
            raise TypeError(f"{where}: name {cls.algorithm!r} / display name {cls.display_name!r} missing or taken")
        if cls.arrangement not in ARRANGEMENTS:
            raise TypeError(f"{where}: arrangement {cls.arrangement!r}; expected one of {ARRANGEMENTS}")
        if cls.firmware_id != len(out) + 1:
            raise TypeError(f"{where}: firmware_id {cls.firmware_id}; the ids must run 1, 2, ... without gaps")
        if not cls.paper_params or not cls.search_grid():
            raise TypeError(f"{where}: declares no paper_params or an empty search_grid")
        out[cls.algorithm] = cls
    return out


#: Algorithm name -> filter class, in firmware-id order.
REGISTRY: dict[str, type[AdaptiveFilter]] = _check([LMS, NLMS, FxLMS, FxNLMS, FxLMSNLMS, RLS, Kalman])


def get(algorithm: str) -> type[AdaptiveFilter]:
    """The class of ``algorithm``; ValueError naming the known ones otherwise."""
    try:
        return REGISTRY[algorithm]
    except (KeyError, TypeError):
        raise ValueError(f"unknown algorithm '{algorithm}'; expected one of {names()}") from None


def names(arrangement: str | None = None) -> tuple[str, ...]:
    """Algorithm names in firmware-id order, all or those of one arrangement (``"plain"``, ``"filtered-x"``)."""
    if arrangement is not None and arrangement not in ARRANGEMENTS:
        raise ValueError(f"unknown arrangement {arrangement!r}; expected one of {ARRANGEMENTS}")
    return tuple(n for n, c in REGISTRY.items() if arrangement is None or c.arrangement == arrangement)


def display_names() -> dict[str, str]:
    """Name -> display name ("fxlms_nlms" -> "Fx-LMS/NLMS")."""
    return {n: c.display_name for n, c in REGISTRY.items()}


def paper_params() -> dict[str, dict]:
    """Name -> a fresh copy of the paper's parameters (Tironi et al. 2025; see each class for the unpublished ones)."""
    return {n: dict(c.paper_params) for n, c in REGISTRY.items()}


def firmware_table() -> tuple[str, ...]:
    """The firmware's algorithm names indexed by id (``tp::Algorithm``): ``("off", "lms", ...)``."""
    return (OFF, *REGISTRY)


def search_grid(algorithm: str, **kw) -> list[dict]:
    """The parameter sets chapter 2's step-size search tries for ``algorithm`` (see each class's ``search_grid``)."""
    return get(algorithm).search_grid(**kw)


def make(algorithm: str, params: dict, n_taps: int, secondary_path=None, secondary_path_estimate=None):
    """A fresh filter of ``algorithm`` with ``params``; the paths go to the filtered-x filters only."""
    return get(algorithm).from_params(n_taps, params, secondary_path, secondary_path_estimate)


__all__ = ["FILTERED_X", "OFF", "PLAIN", "REGISTRY", "display_names", "firmware_table", "get", "make", "names",
           "paper_params", "search_grid"]
