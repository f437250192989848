"""Chapter parameters: the notebook's ``parameters`` cell, the presets, and checked overrides.

The cell tagged ``parameters`` defines every parameter and its default; the defaults are the
``quick`` preset.  ``notebooks/presets/<chapter>.toml`` holds the other presets (a ``[paper]``
table of overrides).  An unknown name or a value of the wrong type is rejected before anything
executes, listing the valid parameters.
"""

from __future__ import annotations

import ast
import json
import tomllib
from pathlib import Path

from tremorlab.paths import NOTEBOOKS, ROOT

PRESETS_DIR = NOTEBOOKS / "presets"


class ParameterError(ValueError):
    """A parameter name or value that the chapter does not accept."""



def chapters() -> list[str]:
    """Chapter names: the stems of ``notebooks/*.ipynb``."""
    return sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))


def resolve_chapter(name: str) -> Path:
    """``02-smart-pen-filters``, ``02`` or a path -> the notebook path."""
    p = Path(name)
    if p.suffix == ".ipynb" and p.is_file():
        return p.resolve()
    if not NOTEBOOKS.is_dir():
        raise ParameterError(f"no chapter '{name}': the working tree {ROOT} has no notebooks/ folder. Chapters are the "
                             "notebooks of a tremorlab checkout: run from a folder that holds notebooks/ (or set "
                             "TREMORLAB_ROOT to one), or pass the path of a .ipynb")
    matches = [c for c in chapters() if c == name or c.split("-")[0] == name]
    if len(matches) != 1:
        raise ParameterError(f"unknown chapter '{name}'; chapters: {', '.join(chapters())}")
    return NOTEBOOKS / f"{matches[0]}.ipynb"


def notebook_parameters(nb_path: Path) -> dict[str, object]:
    """Name -> default value of the notebook's ``parameters`` cell (literals only)."""
    nb = json.loads(Path(nb_path).read_text())
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{nb_path}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    src = "".join(cells[0]["source"])
    out = {}
    for node in ast.parse(src).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if isinstance(target, ast.Name):
                try:
                    out[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    raise ParameterError(f"{nb_path}: parameter '{target.id}' must have a literal default") from None
    return out


def presets(chapter: str, defaults: dict) -> dict[str, dict]:
    """``{"quick": {}, "paper": {...}, ...}`` for a chapter (overrides of the defaults)."""
    out = {"quick": {}}
    f = PRESETS_DIR / f"{chapter}.toml"
    if f.is_file():
        with open(f, "rb") as fh:
            for name, table in tomllib.load(fh).items():
                out[name] = dict(table)
    for name, table in out.items():
        unknown = sorted(set(table) - set(defaults))
        if unknown:
            raise ParameterError(f"{f}: preset '{name}' sets unknown parameter(s) {unknown}")
    return out


def _describe(defaults: dict) -> str:
    return ", ".join(f"{k} ({type(v).__name__}, default {v!r})" for k, v in defaults.items())


def coerce(name: str, value, default):
    """Convert a value (often a CLI string) to the type of ``default``; raise ParameterError."""
    want = type(default)
    if isinstance(value, str) and want is not str:
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            if want is bool and value.lower() in ("true", "false"):
                value = value.lower() == "true"
            else:
                raise ParameterError(f"parameter '{name}': expected a {want.__name__}, got {value!r}") from None
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if default is None or isinstance(value, want) and not (want is int and isinstance(value, bool)):
        return value
    raise ParameterError(f"parameter '{name}': expected a {want.__name__}, got {value!r} ({type(value).__name__})")


def resolve_parameters(nb_path: Path, preset: str, overrides: dict) -> dict:
    """Defaults, then the preset, then the overrides; everything checked before execution."""
    defaults = notebook_parameters(nb_path)
    table = presets(nb_path.stem, defaults)
    if preset not in table:
        raise ParameterError(f"unknown preset '{preset}' for {nb_path.stem}; presets: {', '.join(table)}")
    params = {k: coerce(k, v, defaults[k]) for k, v in table[preset].items()}
    for k, v in overrides.items():
        if k not in defaults:
            raise ParameterError(f"unknown parameter '{k}' for {nb_path.stem}; valid parameters: {_describe(defaults)}")
        params[k] = coerce(k, v, defaults[k])
    if "preset" in defaults:
        params["preset"] = preset
    return params
