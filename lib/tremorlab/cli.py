"""The ``tremorlab`` command.

    tremorlab run CHAPTER [--preset quick|paper] [-p NAME VALUE ...] [--out DIR]
    tremorlab chapters
    tremorlab data list | verify [NAME ...] | where NAME | download NAME [--dest DIR] | page
    tremorlab book execute [--force]

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
        run.execute_book(force=args.force)
    except Exception as exc:
        print(f"tremorlab book: {exc}", file=sys.stderr)
        return 1
    return 0


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

    b = sub.add_parser("book", help="execute the book's chapters (cached)")
    b.add_argument("action", choices=("execute",))
    b.add_argument("--force", action="store_true")
    b.set_defaults(func=_cmd_book)

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
