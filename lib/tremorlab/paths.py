"""Where things are: the package's own files apart from the user's working tree.

* **The package** (:data:`PACKAGE`): files shipped inside ``tremorlab`` and so present in every
  install, a wheel included: the dataset registry (:data:`DATA_REGISTRY`).
* **The working tree** (:data:`ROOT`): the folder that holds the chapters (``notebooks/``, with
  their presets, recorded runs, reference metrics and tolerances), ``runs/`` and ``_build/``.
  It is ``TREMORLAB_ROOT`` when set; else the source checkout this package is imported from (an
  editable install or ``PYTHONPATH=lib``); else the current directory (a wheel install, run
  from a folder that holds ``notebooks/``).
* **The checkout** (:data:`CHECKOUT`): the repository's root when one is there (the working
  tree if it has ``firmware/``, else the checkout the package sits in), ``None`` otherwise.
  Checkout-only features (building and running the pen firmware) ask :func:`checkout_folder`,
  which raises :class:`CheckoutRequired` naming what is missing and how to get it.
"""

from __future__ import annotations

import os
from pathlib import Path

#: the installed package's folder (its own files: present in a wheel install too)
PACKAGE = Path(__file__).resolve().parent
#: the dataset registry, shipped inside the package (package data)
DATA_REGISTRY = PACKAGE / "data_registry.json"


class CheckoutRequired(RuntimeError):
    """A feature needs files of the source repository that an installed wheel does not have."""


def _source_checkout() -> Path | None:
    """The repository root when this package is imported from its ``lib/`` folder, else None."""
    root = PACKAGE.parents[1]
    if PACKAGE.parent.name == "lib" and (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir():
        return root
    return None


def _working_tree() -> Path:
    env = os.environ.get("TREMORLAB_ROOT")
    if env:
        return Path(env).expanduser().resolve()
    return _source_checkout() or Path.cwd().resolve()


#: the user's working tree (see the module docstring)
ROOT = _working_tree()
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "_build"
#: the source repository (``firmware/`` and the rest), or None in a wheel install outside one
CHECKOUT = ROOT if (ROOT / "firmware" / "Makefile").is_file() else _source_checkout()


def checkout_folder(rel: str, feature: str) -> Path:
    """``CHECKOUT / rel``, or :class:`CheckoutRequired` saying that ``feature`` needs a checkout."""
    if CHECKOUT is not None and (CHECKOUT / rel).exists():
        return CHECKOUT / rel
    raise CheckoutRequired(
        f"{feature} needs '{rel}/' of a tremorlab source checkout, which this installation ({PACKAGE}) does not ship; "
        f"working tree: {ROOT}. Clone the repository and run from it (or set TREMORLAB_ROOT to the checkout).")
