"""The ``tremorlab`` command.

    tremorlab run CHAPTER [--preset quick|paper] [-p NAME VALUE ...] [--out DIR]
    tremorlab chapters
    tremorlab data list | verify [NAME ...] | where NAME | download NAME [--dest DIR] | page
    tremorlab book execute|record [CHAPTER ...] [--force] | source
    tremorlab sweep CHAPTER [--preset P] -p NAME VALUES ... [--workers N | --scheduler ADDRESS] --out DIR
    tremorlab repro check RUN_DIR | measure CHAPTER --out DIR [--variant V ...] [--seed N ... | --seeds]
                    [--seed-variant V] | propose CHAPTER DIR [--group PATTERN ...] [--factor F]

Chapter modules may add sub-commands by defining ``add_cli(subparsers)`` in a module listed in
``EXTENSIONS``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

EXTENSIONS = ("tremorlab.pen.cli", "tremorlab.learn.dysgraphia_cli")


def _cmd_run(args) -> int:
    from tremorlab import run

    overrides = {}
    for name, value in args.param or []:
        overrides[name] = value
    try:
        out = run.run_chapter(args.chapter, preset=args.preset, parameters=overrides, out=args.out,
                              progress=not args.quiet)
    except run.ParameterError as exc:
        print(f"tremorlab run: {exc}", file=sys.stderr)
        return 2
    except run.RunFailed as exc:
        print(f"tremorlab run: {exc}", file=sys.stderr)
        return 1
    print(out)
    return 0


def _cmd_chapters(args) -> int:
    from tremorlab import run

    for c in run.chapters():
        defaults = run.notebook_parameters(run.resolve_chapter(c))
        print(f"{c}: presets {', '.join(run.presets(c, defaults))}; parameters {', '.join(defaults)}")
    return 0


def _cmd_data(args) -> int:
    from tremorlab import data

    try:
        if args.action == "list":
            for name, ds in sorted(data.registry().items()):
                try:
                    where = str(data.where(name))
                except data.DatasetError:
                    where = "not found"
                print(f"{name}\n  {ds.title}\n  licence: {ds.licence}\n  files: {len(ds.files)}\n  location: {where}")
        elif args.action == "verify":
            names = args.names or sorted(data.registry())
            for name in names:
                r = data.verify(name)
                print(f"ok  {name}: {r['files']} files at {r['folder']}")
        elif args.action == "where":
            for name in args.names:
                print(data.where(name))
        elif args.action == "page":
            print(data.page())
        elif args.action == "download":
            for name in args.names:
                print(data.download(name, dest=args.dest))
    except data.DatasetError as exc:
        print(f"tremorlab data: {exc}", file=sys.stderr)
        return 1
    return 0


def _cmd_book(args) -> int:
    from tremorlab import run

    try:
        if args.action == "source":
            print(run.assemble_source())
        else:
            run.execute_book(force=args.force, only=args.chapters or None, record=args.action == "record")
    except Exception as exc:
        print(f"tremorlab book: {exc}", file=sys.stderr)
        return 1
    return 0


def _cmd_repro(args) -> int:
    import json
    from pathlib import Path

    from tremorlab import repro, run, sweep

    try:
        if args.action == "check":
            record = json.loads((Path(args.target) / "metrics.json").read_text())
            repro.check_record(record)
            print(f"ok  {record['chapter']} ({record['preset']}): every quantity within its tolerance of "
                  f"{repro.reference_path(record['chapter'])}")
        elif args.action == "measure":
            chapter = run.resolve_chapter(args.target).stem
            seeds = list(args.seed or []) + (sweep.measure_seeds(chapter) if args.seeds else [])
            variants = args.variant if args.variant is not None else ([] if seeds else ["native", "portable"])
            sweep.measure(chapter, Path(args.out), variants, seeds, seed_variant=args.seed_variant)
        elif args.action == "propose":
            chapter = run.resolve_chapter(args.target).stem
            ref = json.loads(repro.reference_path(chapter).read_text())
            runs = {p.parent.name: json.loads(p.read_text()) for p in sorted(Path(args.folder).glob("*/metrics.json"))}
            moves = repro.spread(ref, runs)
            print(repro.propose_tolerances(moves, groups=args.group or [], factor=args.factor,
                                           note=f"runs: {', '.join(runs)}", changed=repro.changes(ref, runs)))
    except repro.ReproducibilityError as exc:
        print(f"tremorlab repro: {exc}", file=sys.stderr)
        return 1
    except (run.ParameterError, run.RunFailed, FileNotFoundError, ValueError) as exc:
        print(f"tremorlab repro: {exc}", file=sys.stderr)
        return 2
    return 0


def _cmd_sweep(args) -> int:
    from tremorlab import run, sweep

    try:
        table = sweep.sweep(args.chapter, [tuple(p) for p in args.param or []], args.out, preset=args.preset,
                            workers=args.workers, scheduler=args.scheduler,
                            resources=sweep.parse_resources(args.resources))
    except (run.ParameterError, sweep.SweepError, ConnectionError) as exc:
        print(f"tremorlab sweep: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tremorlab sweep: interrupted; the finished points and their table are in {args.out}", file=sys.stderr)
        return 130
    for line in sweep.summary_lines(table):
        print(line)
    print(f"table: {args.out}/sweep.json, {args.out}/sweep.csv")
    return 1 if table["failed"] else 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tremorlab", description="Run the tremorlab chapters, manage data and the book.")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run a chapter through papermill into a run folder")
    r.add_argument("chapter", help="chapter name (e.g. 00-data) or its number")
    r.add_argument("--preset", default="quick", help="preset name (quick, paper)")
    r.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"), help="override a parameter")
    r.add_argument("--out", help="run folder (default runs/<chapter>-<preset>-<time>)")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=_cmd_run)

    c = sub.add_parser("chapters", help="list chapters, presets and parameters")
    c.set_defaults(func=_cmd_chapters)

    d = sub.add_parser("data", help="the dataset registry")
    d.add_argument("action", choices=("list", "verify", "where", "download", "page"))
    d.add_argument("names", nargs="*")
    d.add_argument("--dest", help="download folder (default: the user cache)")
    d.set_defaults(func=_cmd_data)

    b = sub.add_parser("book", help="execute the book's chapters (cached)",
                       description="execute: run the chapters into _build/executed (the checkout is left as it is); "
                                   "record: run them in place, rewriting the committed notebooks and their reference "
                                   "metrics (notebooks/metrics); source: lay out _build/book-source for jupyter-book")
    b.add_argument("action", choices=("execute", "record", "source"))
    b.add_argument("chapters", nargs="*", help="only these chapters (names or numbers; default: every toc chapter)")
    b.add_argument("--force", action="store_true")
    b.set_defaults(func=_cmd_book)

    sw = sub.add_parser("sweep", help="run a chapter at many parameter points on Dask; one table across them")
    sw.add_argument("chapter")
    sw.add_argument("--preset", default="quick")
    sw.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUES"),
                    help="values: a..b (integers, inclusive) or v1,v2,... or one value")
    where = sw.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, help="local Dask workers (processes, one thread each; default 2)")
    where.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://host:8786)")
    sw.add_argument("--out", required=True, help="folder: one run folder per point, sweep.json, sweep.csv")
    sw.add_argument("--resources", help="Dask worker resources each point needs, e.g. GPU=1")
    sw.set_defaults(func=_cmd_sweep)

    rp = sub.add_parser("repro", help="compare a run with the committed numbers; measure their spread across kernels")
    rp.add_argument("action", choices=("check", "measure", "propose"))
    rp.add_argument("target", help="check: a run folder; measure/propose: a chapter")
    rp.add_argument("folder", nargs="?", help="propose: the folder of measured runs")
    rp.add_argument("--out", help="measure: folder for the runs")
    rp.add_argument("--variant", action="append", help="measure: kernel variant (repeatable; default native, portable)")
    rp.add_argument("--seed", action="append", type=int, help="measure: an extra seed (repeatable)")
    rp.add_argument("--seeds", action="store_true",
                    help="measure: the standard extra seeds (the chapter's seed + 100, 200, 300, 400)")
    rp.add_argument("--seed-variant", default="native",
                    help="measure: the kernels the extra seeds run on (default native; e.g. portable)")
    rp.add_argument("--factor", type=float, default=1.5, help="propose: tolerance = factor x the largest move (1.5)")
    rp.add_argument("--group", action="append", help="propose: a pattern whose quantities share one tolerance")
    rp.set_defaults(func=_cmd_repro)

    for mod in EXTENSIONS:
        try:
            ext = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name and mod.startswith(exc.name):
                continue  # extension not built yet
            raise
        ext.add_cli(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
