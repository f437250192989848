"""The ``metrics.json`` contract shared by every chapter, and its table in the book.

A chapter ends with::

    m = tl.report.save_metrics("02-smart-pen-filters", preset, metrics={...}, comparisons=[
        tl.report.comparison("steady-state MSE, RLS", paper=-37.0, ours=val, unit="dB",
                             verdict="reproduced", why="..."), ...])
    tl.report.comparison_table(m)      # displays and glues the paper-vs-ours table

``save_metrics`` writes ``metrics.json`` atomically into the run folder (``TREMORLAB_RUN_DIR``,
set by :mod:`tremorlab.run`) or, outside a run, into ``_build/metrics/<chapter>.json``.  With
``TREMORLAB_CHECK_METRICS`` set it then compares the record with the committed reference
(:mod:`tremorlab.repro`) and raises if a quantity left its tolerance.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from tremorlab import data, repro, verdicts
from tremorlab._files import write_json_atomic  # noqa: F401  (re-exported: report.write_json_atomic)
from tremorlab.paths import BUILD

#: the verdict words; :mod:`tremorlab.verdicts` defines them and the rules that give them
VERDICTS = verdicts.WORDS
COMPARISON_KEYS = ("quantity", "paper", "ours", "unit", "verdict", "why")


class MetricsError(ValueError):
    """A metrics record that does not follow the contract."""


def comparison(quantity: str, paper, ours, unit: str, verdict: verdicts.Verdict, why: str) -> dict:
    """One row of the paper-vs-ours table (validated).

    ``verdict`` is a :class:`tremorlab.verdicts.Verdict` from one of that module's rules; its rule is
    appended to ``why``.  A bare string is accepted only for the two judgments that no rule gives,
    ``"by construction"`` and ``"not comparable"`` (``why`` is then the reason): a typed
    ``"reproduced"``, ``"not reproduced"`` or ``"tie"`` is refused.
    """
    if isinstance(verdict, verdicts.Verdict):
        word, why = verdict.word, f"{why.rstrip().rstrip('.')}. Rule: {verdict.rule}" if str(why).strip() else verdict.rule
    elif verdict in verdicts.RULED:
        raise MetricsError(f"comparison {quantity!r}: the verdict {verdict!r} must come from a rule of "
                           "tremorlab.verdicts (within, holds, difference, all_differences), not be typed")
    else:
        word = verdict
    row = {"quantity": quantity, "paper": paper, "ours": ours, "unit": unit, "verdict": word, "why": why}
    _check_row(row, 0)
    return row


def _check_row(row: dict, i: int) -> None:
    missing = [k for k in COMPARISON_KEYS if k not in row]
    if missing:
        raise MetricsError(f"comparisons[{i}]: missing key(s) {missing}; each row needs {COMPARISON_KEYS}")
    if row["verdict"] not in VERDICTS:
        raise MetricsError(f"comparisons[{i}] ({row['quantity']}): verdict must be one of {VERDICTS}, got {row['verdict']!r}")
    if not str(row["why"]).strip():
        raise MetricsError(f"comparisons[{i}] ({row['quantity']}): 'why' must say why")


def _clean(value):
    """JSON-safe copy: numpy scalars/arrays to Python, non-finite floats refused."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN; a missing value is written as null
    return value


def validate(record: dict) -> dict:
    """Check a metrics record against the contract; returns it."""
    for key in ("chapter", "preset", "metrics", "comparisons"):
        if key not in record:
            raise MetricsError(f"metrics record lacks '{key}'")
    if not isinstance(record["metrics"], dict):
        raise MetricsError("'metrics' must be a mapping of name -> value")
    for i, row in enumerate(record["comparisons"]):
        _check_row(row, i)
    return record


def metrics_path(chapter: str) -> Path:
    run_dir = os.environ.get("TREMORLAB_RUN_DIR")
    if run_dir:
        return Path(run_dir) / "metrics.json"
    return BUILD / "metrics" / f"{chapter}.json"


def save_metrics(chapter: str, preset: str, metrics: dict, comparisons: list[dict]) -> dict:
    """Validate and write the chapter's ``metrics.json``; returns the record written."""
    record = validate({"chapter": chapter, "preset": preset, "metrics": _clean(metrics),
                       "comparisons": _clean(list(comparisons))})
    write_json_atomic(metrics_path(chapter), record)

    if os.environ.get("TREMORLAB_RUN_DIR"):
        write_json_atomic(Path(os.environ["TREMORLAB_RUN_DIR"]) / "datasets_used.json", sorted(data.USED))
    if repro.check_enabled():  # a re-execution (nbval, the portable-kernel run) against the committed numbers
        repro.check_record(record)
    return record


def load_metrics(path: str | os.PathLike) -> dict:
    with open(path) as fh:
        return validate(json.load(fh))


def comparison_frame(record: dict):
    """The comparisons of a metrics record as a pandas DataFrame."""
    import pandas as pd

    return pd.DataFrame(record["comparisons"], columns=list(COMPARISON_KEYS))


def comparison_table(record: dict, name: str = "comparisons") -> None:
    """Display the paper-vs-ours table read back from the written file, and glue it as ``name``.

    Text is shown whole (no truncated "why" column); the table is displayed here and glued for a
    ``{glue:} comparisons`` directive in the chapter's closing prose.
    """
    import pandas as pd
    from IPython.display import display
    from myst_nb import glue

    df = comparison_frame(load_metrics(metrics_path(record["chapter"])))
    with pd.option_context("display.max_colwidth", None, "display.width", 200):
        glue(name, df, display=False)
        display(df)
