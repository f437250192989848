"""Parameter sweeps on Dask: one chapter run per parameter point, then one table across points.

    tremorlab sweep CHAPTER [--preset P] -p seed 0..9 [-p NAME v1,v2 ...]
                    [--workers N | --scheduler ADDRESS] --out DIR

* Points: the Cartesian product of the ``-p`` values (``a..b`` is the integer range a to b
  inclusive, ``v1,v2`` a list).  Every point is checked against the chapter's parameters
  before anything runs (:func:`tremorlab.run.resolve_parameters`).
* Each point is one task: :func:`tremorlab.run.run_chapter` into ``DIR/<point>``, exactly as
  ``tremorlab run`` writes a run folder (provenance, atomic rename, a failed run kept as
  ``<point>.failed``).  A point whose folder is already complete is skipped, so a re-run only
  does what is missing; a failed point is reported and the others are kept.
* Where: an embedded ``LocalCluster`` of ``--workers`` processes (one thread each), or any
  running Dask cluster through ``--scheduler`` (``tcp://host:8786``; dask-jobqueue clusters
  print such an address).  A worker that dies mid-task has its task re-run on another worker
  (Dask's ``allowed-failures``); the run folder of a point appears only when its run finished.
* ``DIR/sweep.json`` and ``DIR/sweep.csv``: per numeric quantity of ``metrics.json``
  (flattened as in :mod:`tremorlab.repro`), its value at each point and, across points, the
  mean, the SD and the 95 % t-interval of the mean.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import time
from pathlib import Path

from tremorlab import parallel, repro, run
from tremorlab._files import atomic_write

SWEEP_TABLE = "sweep.json"


class SweepError(RuntimeError):
    """A sweep that cannot start (bad points, unreachable scheduler)."""


def parse_values(text: str) -> list[str]:
    """``"0..9"`` -> ``["0", ..., "9"]``; ``"a,b"`` -> ``["a", "b"]``; anything else -> ``[text]``."""
    m = re.fullmatch(r"\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*", text)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        if b < a:
            raise SweepError(f"empty range {text!r}: the end must not be below the start")
        return [str(v) for v in range(a, b + 1)]
    if "," in text:
        values = [v.strip() for v in text.split(",")]
        if any(v == "" for v in values):
            raise SweepError(f"empty value in the list {text!r}")
        return values
    return [text]


def points(chapter: str, preset: str, specs: list[tuple[str, str]]) -> list[dict]:
    """The parameter points of a sweep, each checked (and coerced) before anything runs."""
    nb = run.resolve_chapter(chapter)
    names = [n for n, _ in specs]
    if len(set(names)) != len(names):
        raise SweepError(f"a parameter is given twice: {names}")
    grid = [parse_values(v) for _, v in specs]
    out = []
    for combo in itertools.product(*grid):
        params = run.resolve_parameters(nb, preset, dict(zip(names, combo)))
        out.append({n: params[n] for n in names})
    return out


def parse_resources(text: str | None) -> dict[str, float] | None:
    """``"GPU=1,MEM=8e9"`` -> ``{"GPU": 1.0, "MEM": 8e9}`` (Dask worker resources)."""
    if not text:
        return None
    out = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise SweepError(f"resources must look like GPU=1,MEM=8e9; got {text!r}") from None
        if not name.strip():
            raise SweepError(f"resources must look like GPU=1,MEM=8e9; got {text!r}")
    return out


def point_name(point: dict) -> str:
    """``{"seed": 3, "n_runs": 10}`` -> ``seed-3_n_runs-10`` (a folder name)."""
    parts = [f"{k}-{v}" for k, v in point.items()] or ["default"]
    return re.sub(r"[^A-Za-z0-9._=-]+", "_", "_".join(parts))


def complete(folder: Path) -> bool:
    """A run folder whose chapter finished: metrics.json and provenance.json with status ok."""
    prov = Path(folder) / "provenance.json"
    if not (Path(folder) / "metrics.json").is_file() or not prov.is_file():
        return False
    try:
        return json.loads(prov.read_text()).get("status") == "ok"
    except json.JSONDecodeError:
        return False


def run_point(chapter: str, preset: str, params: dict, folder: str) -> dict:
    """One sweep task (runs on a worker): the chapter into ``folder``; a summary of what happened."""
    t0 = time.perf_counter()
    try:
        run.run_chapter(chapter, preset=preset, parameters=params, out=folder)
        status, error = "ok", None
    except run.RunFailed as exc:
        status, error = "failed", str(exc)[:2000]
    return {"folder": folder, "params": params, "status": status, "error": error,
            "wall_s": round(time.perf_counter() - t0, 3)}


def _client(workers: int | None, scheduler: str | None):
    if scheduler:
        return parallel.connect(scheduler), None
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True,
                           dashboard_address=None, host="127.0.0.1")
    return Client(cluster), cluster


def sweep(chapter: str, specs: list[tuple[str, str]], out: str | Path, preset: str = "quick",
          workers: int | None = None, scheduler: str | None = None, log=print, progress_every_s: float = 5.0,
          resources: dict[str, float] | None = None) -> dict:
    """Run every point of the sweep (see the module docstring); returns the summary table.

    ``resources``: Dask worker resources each point needs, e.g. ``{"GPU": 1}`` so that the
    training chapters land only on workers started with ``--resources GPU=1``.
    """
    from distributed import as_completed

    nb = run.resolve_chapter(chapter)
    chapter = nb.stem
    out = Path(out).resolve()
    pts = points(str(nb), preset, specs)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    todo, skipped = [], []
    for p in pts:
        folder = out / point_name(p)
        (skipped if complete(folder) else todo).append((p, folder))
    log(f"sweep {chapter} ({preset}): {len(pts)} points, {len(skipped)} already complete, {len(todo)} to run")
    failed: list[dict] = []
    interrupted = False
    if todo:
        client, cluster = _client(workers, scheduler)
        try:
            futures = [client.submit(run_point, str(nb), preset, p, str(f), pure=False, key=f"{chapter}-{f.name}",
                                     resources=resources or None)
                       for p, f in todo]
            done = 0
            last = 0.0
            try:
                for fut in as_completed(futures):
                    try:
                        res = fut.result()
                    except Exception as exc:  # the task itself broke (a worker lost too often, ...)
                        res = {"folder": fut.key, "status": "failed", "error": f"{type(exc).__name__}: {exc}"}
                    done += 1
                    if res["status"] != "ok":
                        failed.append(res)
                        log(f"failed  {Path(res['folder']).name}: {str(res.get('error'))[:300]}")
                    now = time.monotonic()
                    if now - last >= progress_every_s or done == len(futures):
                        running = sum(1 for f in futures if f.status == "pending")
                        log(f"progress: {done - len(failed)} done / {running} running or queued / {len(failed)} failed"
                            f" (of {len(futures)})")
                        last = now
            except KeyboardInterrupt:
                client.cancel(futures)
                interrupted = True
                log(f"interrupted: cancelled the unfinished points; finished ones are kept in {out}")
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    table = collect(out)
    table["failed"] = [{"point": Path(r["folder"]).name, "error": r.get("error")} for r in failed]
    where = f"--scheduler {scheduler}" if scheduler else f"--workers {workers or 2}"
    table["sweep"] = {"chapter": chapter, "preset": preset, "specs": [list(p) for p in specs],
                      "command": " ".join(["tremorlab sweep", chapter, "--preset", preset,
                                           *[f"-p {n} {v}" for n, v in specs], where]),
                      "wall_s": round(time.perf_counter() - t0, 1), "ran": len(todo), "skipped": len(skipped)}
    write_table(out, table)
    if interrupted:
        raise KeyboardInterrupt
    return table


def _t975(df: int) -> float:
    from scipy.stats import t

    return float(t.ppf(0.975, df))


def collect(out: str | Path) -> dict:
    """Every complete run folder under ``out`` -> per-quantity values, mean, SD and 95 % interval."""
    out = Path(out)
    runs = {}
    for folder in sorted(p for p in out.iterdir() if p.is_dir() and complete(p)):
        runs[folder.name] = repro.flatten(json.loads((folder / "metrics.json").read_text()))
    quantities = {}
    names = sorted({k for flat in runs.values() for k, v in flat.items() if _number(v)})
    for key in names:
        values = {pt: flat[key] for pt, flat in runs.items() if _number(flat.get(key))}
        v = list(values.values())
        n = len(v)
        mean = sum(v) / n
        sd = math.sqrt(sum((x - mean) ** 2 for x in v) / (n - 1)) if n > 1 else 0.0
        half = _t975(n - 1) * sd / math.sqrt(n) if n > 1 else float("nan")
        quantities[key] = {"values": values, "n": n, "mean": mean, "sd": sd,
                           "ci95": [mean - half, mean + half] if n > 1 else None}
    return {"points": list(runs), "quantities": quantities}


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def write_table(out: Path, table: dict) -> None:
    """``sweep.json`` (everything) and ``sweep.csv`` (one row per quantity), atomically."""
    repro_json = json.dumps(table, indent=1, allow_nan=False)
    with atomic_write(Path(out) / SWEEP_TABLE) as fh:
        fh.write(repro_json + "\n")
    with atomic_write(Path(out) / "sweep.csv") as fh:
        pts = table["points"]
        fh.write(",".join(["quantity", *pts, "n", "mean", "sd", "ci95_low", "ci95_high"]) + "\n")
        for key, q in table["quantities"].items():
            ci = q["ci95"] or ["", ""]
            cells = [json.dumps(key), *[repr(q["values"].get(p, "")) for p in pts], q["n"], q["mean"], q["sd"], *ci]
            fh.write(",".join(str(c) for c in cells) + "\n")


def load_table(path: str | Path) -> dict:
    """A sweep table written by :func:`sweep` (the folder or its ``sweep.json``)."""
    p = Path(path)
    p = p / SWEEP_TABLE if p.is_dir() else p
    return json.loads(p.read_text())


def summary_lines(table: dict, pattern: str = "comparisons*", limit: int = 40) -> list[str]:
    """Printable lines of the quantities matching ``pattern``: mean, SD and interval across points."""
    import fnmatch

    lines = [f"{len(table['points'])} points: {', '.join(table['points'])}"]
    for key, q in table["quantities"].items():
        if fnmatch.fnmatchcase(key, pattern) and len(lines) <= limit:
            ci = q["ci95"]
            ci_text = f"[{ci[0]:.4g}, {ci[1]:.4g}]" if ci else "n/a"
            lines.append(f"{key}: mean {q['mean']:.4g}, SD {q['sd']:.3g}, 95 % CI {ci_text} (n={q['n']})")
    return lines


def paired_difference(table: dict, a: str, b: str) -> dict:
    """Per point ``a - b`` of two quantities of a sweep table; mean, SD and 95 % t-interval across points."""
    qa, qb = table["quantities"][a]["values"], table["quantities"][b]["values"]
    common = [p for p in table["points"] if p in qa and p in qb]
    d = [qa[p] - qb[p] for p in common]
    n = len(d)
    if n < 2:
        raise ValueError(f"a difference across points needs at least 2 points with both {a} and {b}; got {n}")
    mean = sum(d) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / (n - 1))
    half = _t975(n - 1) * sd / math.sqrt(n)
    return {"values": dict(zip(common, d)), "n": n, "mean": mean, "sd": sd, "ci95": [mean - half, mean + half]}


# ---- the spread across kernels and seeds (tremorlab repro measure) -------------------------------

def measure(chapter: str, out: Path, variants: list[str], seeds: list[int] = (), preset: str = "quick",
            log=print, seed_variant: str = "native") -> dict[str, Path]:
    """Run ``chapter`` once per kernel variant of :data:`tremorlab.repro.VARIANTS` (default seed) and once
    per extra seed (on the kernels of ``seed_variant``): the runs ``tremorlab repro measure`` turns into
    tolerances.

    Each run is a normal run folder under ``out`` (``<variant>``, ``seed-<n>`` or
    ``seed-<n>-<seed_variant>``); a folder that already holds a complete run is reused.  Returns
    name -> run folder.
    """
    out = Path(out)
    unknown = [v for v in [*variants, seed_variant] if v not in repro.VARIANTS]
    if unknown:
        raise ValueError(f"unknown variant(s) {unknown}; variants: {', '.join(repro.VARIANTS)}")
    suffix = "" if seed_variant == "native" else f"-{seed_variant}"
    todo = [(v, repro.VARIANTS[v], {}) for v in variants] + [
        (f"seed-{s}{suffix}", repro.VARIANTS[seed_variant], {"seed": s}) for s in seeds]
    done = {}
    for name, env, params in todo:
        folder = out / name
        if not (folder / "metrics.json").is_file():
            log(f"run      {chapter} {name}")
            with run._env(**env):
                run.run_chapter(chapter, preset=preset, parameters=params, out=folder)
        done[name] = folder
    return done


def default_seed(chapter: str) -> int:
    """The chapter's ``seed`` parameter as its notebook sets it (the quick preset's)."""
    values = run.notebook_parameters(run.resolve_chapter(chapter))
    if "seed" not in values:
        raise ValueError(f"{chapter} has no 'seed' parameter")
    return int(values["seed"])


def measure_seeds(chapter: str) -> list[int]:
    """The extra seeds whose spread sets a trained chapter's tolerances (:data:`repro.MEASURE_SEED_OFFSETS`)."""
    base = default_seed(chapter)
    return [base + k for k in repro.MEASURE_SEED_OFFSETS]


def shifted_seed(chapter: str) -> int:
    """The seed of the chapter's shifted-seed run in ``make test`` (:data:`repro.SHIFTED_SEED_OFFSET`)."""
    return default_seed(chapter) + repro.SHIFTED_SEED_OFFSET
