"""One study module per chapter: the paper's numbers, the chapter's experiments, its closing table.

Each module holds

* ``CHAPTER``: the chapter's name (``"02-smart-pen-filters"``);
* ``PAPER``: the paper's numbers as :class:`Cited` values, each with where it comes from (table,
  figure, page), so that the closing table and the prose cite the same number;
* the experiments the notebook runs (a function per experiment, returning plain results);
* ``comparisons(...)``: the rows of the closing table, each verdict from a rule of
  :mod:`tremorlab.verdicts`.  The notebook's closing cell calls it and passes the rows to
  :func:`tremorlab.report.save_metrics`; no notebook computes a verdict itself.

=================  =======================================
chapter            module
=================  =======================================
00-data            :mod:`tremorlab.studies.data_readers`
01-et-spiral...    :mod:`tremorlab.studies.spiral_grading`
02-smart-pen...    :mod:`tremorlab.studies.smart_pen`
03-phtnet          :mod:`tremorlab.studies.phtnet`
04-dysgraphia      :mod:`tremorlab.studies.dysgraphia`
05-pd-semg-tablet  :mod:`tremorlab.studies.pd_semg`
06-tremor-bench... :mod:`tremorlab.studies.tremor_benchmark`
=================  =======================================
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import lazy_loader

#: chapter -> study module (inside this package)
MODULES = {
    "00-data": "data_readers",
    "01-et-spiral-grading": "spiral_grading",
    "02-smart-pen-filters": "smart_pen",
    "03-phtnet": "phtnet",
    "04-dysgraphia": "dysgraphia",
    "05-pd-semg-tablet": "pd_semg",
    "06-tremor-benchmark": "tremor_benchmark",
}

__getattr__, __dir__, _ = lazy_loader.attach(__name__, submodules=sorted(MODULES.values()))
__all__ = ["MODULES", "Cited", "for_chapter", *sorted(MODULES.values())]


@dataclass(frozen=True)
class Cited:
    """A number taken from a paper (or a dataset's documentation), with where it stands there."""

    value: Any
    source: str
    unit: str = ""

    def __post_init__(self):
        if not str(self.source).strip():
            raise ValueError(f"a cited number needs its source (table, figure, page), got {self.source!r}")


def for_chapter(chapter: str):
    """The study module of ``chapter``."""
    if chapter not in MODULES:
        raise KeyError(f"no study module for chapter {chapter!r}; chapters: {sorted(MODULES)}")
    return importlib.import_module(f"{__name__}.{MODULES[chapter]}")
