"""``tremorlab dysgraphia``: train the chapter-4 classifier on a folder of children, apply it to another.

    tremorlab dysgraphia train [--data FOLDER] [--labels SHEET] --out MODEL.pkl [--writings W ...] [--trees N] [--inner-splits K]
    tremorlab dysgraphia apply MODEL.pkl FOLDER [--labels SHEET] [--csv OUT.csv]

``--data`` defaults to the registry's ``drotar_dysgraphia_svc``.  Folders follow its layout
(``userNNNNN/sessionNNNNN/*.svc`` and a label sheet with ``ID, diag, sex, hand, age``; for
``apply`` the sheet is optional unless the model adjusts for age, and ``diag`` may be empty).
"""

from __future__ import annotations

import sys


def _cmd_train(args) -> int:
    from tremorlab import data
    from tremorlab.io.types import RecordingError
    from tremorlab.learn import nested as ns

    folder = args.data or data.where("drotar_dysgraphia_svc")
    try:
        model, info = ns.train_on_folder(folder, args.labels, writings=tuple(args.writings), models=tuple(args.models),
                                         n_estimators=args.trees,
                                         inner_splits=args.inner_splits, seed=args.seed)
    except (RecordingError, ValueError) as exc:
        print(f"tremorlab dysgraphia train: {exc}", file=sys.stderr)
        return 1
    model.save(args.out)
    print(info["report"])
    print("inner-CV accuracy per setting:", info["inner_accuracy"])
    print("chosen:", {k: v for k, v in info["setting"].items()}, "->", args.out)
    return 0


def _cmd_apply(args) -> int:
    from tremorlab.io.types import RecordingError
    from tremorlab.learn import nested as ns

    try:
        out = ns.apply_to_folder(args.model, args.folder, args.labels)
    except (RecordingError, ValueError, FileNotFoundError) as exc:
        print(f"tremorlab dysgraphia apply: {exc}", file=sys.stderr)
        return 1
    if args.csv:
        out.to_csv(args.csv)
    print(out.to_string())
    return 0


def add_cli(subparsers) -> None:
    p = subparsers.add_parser("dysgraphia", help="chapter 4: train the dysgraphia classifier, apply it to children")
    sub = p.add_subparsers(dest="dysgraphia_command", required=True)
    t = sub.add_parser("train", help="choose the setting by inner CV and train on all children of a folder")
    t.add_argument("--data", help="folder of children (default: the registry's drotar_dysgraphia_svc)")
    t.add_argument("--labels", help="label sheet (default: the only .xlsx or labels.csv in the folder)")
    t.add_argument("--out", required=True, help="model file to write (.pkl)")
    t.add_argument("--writings", nargs="+", default=["session", "words", "sentence"],
                   help="parts of each session the inner CV chooses from (session, words, sentence, letters)")
    t.add_argument("--models", nargs="+", default=["rf", "adaboost"], help="model families the inner CV chooses from")
    t.add_argument("--trees", type=int, default=500, help="trees of a random forest (AdaBoost: 100 stumps)")
    t.add_argument("--inner-splits", type=int, default=5)
    t.add_argument("--seed", type=int, default=0)
    t.set_defaults(func=_cmd_train)
    a = sub.add_parser("apply", help="classify every child of a folder with a saved model")
    a.add_argument("model")
    a.add_argument("folder")
    a.add_argument("--labels", help="label sheet (ages; diagnosis optional)")
    a.add_argument("--csv", help="also write the table as CSV")
    a.set_defaults(func=_cmd_apply)
