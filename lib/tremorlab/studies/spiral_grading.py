"""Chapter 1: grading essential tremor from CRST spiral drawings (Peng et al. 2025, ETSD-Net).

The paper's numbers (:data:`PAPER`, with where they stand in the paper), the experiments the
notebook runs (:func:`fit_and_evaluate`, :func:`attention_cost`, :func:`ranking_intervals`,
:func:`coverage_differences`), the seed-inclusive intervals of every trained quantity
(:func:`seed_report`, :func:`accuracy_difference`, :func:`auc_over_seeds`, :func:`mean_over_seeds`:
test patients or people and training seeds resampled together), the recorded distribution of the
quick preset over draws (:func:`record_from_runs`, :func:`load_seed_record`,
:func:`summarise_draws`) and the closing table (:func:`comparisons`), whose trained rows come from
that record when it is given.

The paper is ``/work/shared/papers/000_*.txt`` (Scientific Reports 2025); its text has no page
numbers, so each number is placed by table, figure or section.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from tremorlab import repro, verdicts
from tremorlab.learn.metrics import SeedInterval, confusion, seed_bootstrap
from tremorlab.report import comparison as C
from tremorlab.report import write_json_atomic
from tremorlab.studies import Cited
from tremorlab.tremor.evaluation import t_interval
from tremorlab.vision import etsdnet
from tremorlab.vision import evaluate as ev
from tremorlab.vision.baselines import TIMM_NAMES, create
from tremorlab.vision.train import predict_logits, two_phase_fit

CHAPTER = "01-et-spiral-grading"

#: the paper's model keys (ours) in the order of its Tables 4 and 5, and their names there
MODELS = ("resnet50", "densenet121", "convnext_tiny", "mobilenetv2", "etsdnet_original", "etsdnet")
BASELINES = ("resnet50", "densenet121", "convnext_tiny", "mobilenetv2")
METRICS = ("accuracy", "precision", "recall", "f1")

_T4 = {  # Table 4: accuracy, precision, recall, F1 (%), test set
    "resnet50": (86.43, 88.48, 86.43, 86.73),
    "densenet121": (85.93, 85.92, 85.93, 85.51),
    "convnext_tiny": (86.93, 88.87, 86.93, 87.21),
    "mobilenetv2": (87.44, 87.63, 87.44, 87.44),
    "etsdnet_original": (86.43, 86.39, 86.43, 86.18),
    "etsdnet": (88.44, 88.64, 88.44, 88.45),
}
_T5 = {  # Table 5: "FLOPs" (G, MAC counts), params (M), inference time mean, s.d. (ms)
    "resnet50": (4.13, 23.52, 7.17, 4.15),
    "densenet121": (2.83, 6.88, 18.27, 1.64),
    "convnext_tiny": (4.45, 27.80, 5.34, 1.28),
    "mobilenetv2": (0.30, 2.20, 7.21, 0.93),
    "etsdnet": (0.33, 2.26, 20.17, 10.56),
}

PAPER: dict[str, Cited] = {}
for _k, _v in _T4.items():
    for _m, _x in zip(METRICS, _v):
        PAPER[f"table4.{_m}.{_k}"] = Cited(_x, "Table 4 (test set)", "%")
for _k, (_g, _p, _ms, _sd) in _T5.items():
    PAPER[f"table5.gmacs.{_k}"] = Cited(_g, "Table 5, FLOPs column (a MAC count: MobileNetV2 0.30 G)", "G")
    PAPER[f"table5.params.{_k}"] = Cited(_p, "Table 5, Params column", "M")
    PAPER[f"table5.latency_mean.{_k}"] = Cited(_ms, "Table 5, inference time (mean)", "ms")
    PAPER[f"table5.latency_sd.{_k}"] = Cited(_sd, "Table 5, inference time (s.d.)", "ms")
PAPER.update({
    # differences of two numbers of Table 5, each rounded to 0.01: the difference is known to +-0.01
    "attention.params": Cited(round(2.26 - 2.20, 2), "Table 5: ETSD-Net 2.26 M minus MobileNet-V2 2.20 M", "M"),
    "attention.gmacs": Cited(round(0.33 - 0.30, 2), "Table 5: ETSD-Net 0.33 G minus MobileNet-V2 0.30 G", "G"),
    "attention.rounding": Cited(0.01, "Table 5 rounds to 0.01, so a difference of two entries is known to +-0.01"),
    "latency_ratio": Cited(round(20.17 / 7.21, 2), "Table 5: 20.17 ms / 7.21 ms (ETSD-Net / MobileNet-V2)", "ratio"),
    "attention_gain_pp": Cited(round(88.44 - 87.44, 2), "Table 4: ETSD-Net 88.44 % minus MobileNet-V2 87.44 %", "pp"),
    "augmentation_gain_pp": Cited(round(88.44 - 86.43, 2), "Table 4: ETSD-Net 88.44 % minus ETSD-Net on original data 86.43 %",
                                  "pp"),
    "ranking": Cited("above all 4", "Table 4 and Results ('surpassing ... ConvNeXt-Tiny, DenseNet, MobileNet-V2, "
                                    "and ResNet50', Abstract)"),
    "gradcam_global": Cited("most global of 5", "Results, Grad-CAM paragraph and Fig. 4: 'ETSD-Net achieves the most "
                                                "comprehensive and consistent attention distribution'"),
    "auc_range": Cited((0.98, 0.99), "Results, ROC paragraph (Fig. 3): per-class AUC 0.98-0.99", "AUC"),
    "clinician_range": Cited((76.2, 80.4), "Discussion: Elble et al.'s validity of spiral (80.4 %) and handwriting "
                                           "(76.2 %) ratings", "%"),
    "dataset.images": Cited(997, "Methods, Dataset: 997 images"),
    "dataset.patients": Cited(315, "Methods, Dataset and Table 3: 315 patients"),
    "dataset.scans": Cited(798, "Methods, Dataset: 798 scanned images"),
    "dataset.photos": Cited(199, "Methods, Dataset: 199 photos from the remote group"),
    "rosebrock_pd_accuracy": Cited(83.33, "Rosebrock 2019, PyImageSearch (spiral, HOG + random forest, the source's "
                                          "30 testing images)", "%"),
})

#: views of Tables 4 and 5 by model, for the notebook's tables
TABLE4 = {k: tuple(PAPER[f"table4.{m}.{k}"].value for m in METRICS) for k in _T4}
TABLE5 = {k: tuple(PAPER[f"table5.{q}.{k}"].value for q in ("gmacs", "params", "latency_mean", "latency_sd"))
          for k in _T5}

#: tolerances of the rows that are measured independently (stated in each row)
PARAMS_REL_TOL = 0.03   # a baseline's parameter count: 3 % of the paper's (head and counter differences)
MACS_REL_TOL = 0.10     # a baseline's MACs: 10 % of the paper's (counters differ in what they count)
#: the attention's own cost: the paper's delta is known to +-0.01 (rounding), we allow that
ATTENTION_ABS_TOL = {"params": PAPER["attention.rounding"].value, "gmacs": PAPER["attention.rounding"].value}
#: models that stand in for the paper's MobileNetV2 pair when only the Lite0 weights are available
STAND_IN = {"etsdnet": "etsdnet_lite0", "mobilenetv2": "efficientnet_lite0"}
ETSD_KEYS = ("etsdnet", "etsdnet_lite0")


# ------------------------------------------------------------------------------------------------
# experiments
# ------------------------------------------------------------------------------------------------

def weights_file(name: str, weights_dir: str | os.PathLike | None) -> str | None:
    """``<weights_dir>/<timm architecture>.{safetensors,pth,bin}`` if present (ETSD-Net uses
    ``mobilenetv2_100``); None when ``weights_dir`` is empty."""
    if not weights_dir:
        return None
    arch = "efficientnet_lite0" if "lite0" in name else TIMM_NAMES.get(name, "mobilenetv2_100")
    for ext in ("safetensors", "pth", "bin"):
        p = Path(weights_dir) / f"{arch}.{ext}"
        if p.is_file():
            return str(p)
    if "lite0" in name:  # the pip package's weights are the default for the Lite0 models
        return None
    raise FileNotFoundError(f"weights_dir {weights_dir!r} has no {arch}.safetensors/.pth/.bin for model {name}")


def fit_and_evaluate(name: str, train: tuple, val: tuple, test: tuple, test_groups, test_setting, *,
                     pretrained: bool = False, weights_dir: str | None = None, phase1_epochs: int = 2,
                     phase2_epochs: int = 10, batch_size: int = 64, base_lr: float = 1e-3, lr_decay: float = 0.5,
                     n_boot: int = 1000, seed: int = 0) -> dict:
    """Build ``name``, train it in two phases, and evaluate it on the test set.

    ``train``, ``val``, ``test`` are (uint8 images, grades).  Returns a dict with the model, the
    fit history, test probabilities and predictions, the report (accuracy, weighted P/R/F1 with
    subject-bootstrap CIs), ROC per class, confusion matrix and accuracy by setting.
    """
    import torch

    torch.manual_seed(seed)
    model = create(name, num_classes=5, pretrained=pretrained, weights_file=weights_file(name, weights_dir))
    fit = two_phase_fit(model, *train, *val, phase1_epochs=phase1_epochs, phase2_epochs=phase2_epochs,
                        batch_size=batch_size, base_lr=base_lr, lr_decay=lr_decay, seed=seed)
    proba = ev.softmax(predict_logits(model, test[0]))
    pred = proba.argmax(1)
    y = np.asarray(test[1])
    return {"model": model, "fit": fit, "proba": proba, "pred": pred,
            "report": ev.classification_report(y, pred, groups=test_groups, n_boot=n_boot, seed=seed),
            "roc": ev.roc_per_class(y, proba), "confusion": confusion(y, pred, ev.CLASSES),
            "by_setting": ev.accuracy_by(y, pred, test_setting)}


def attention_cost(size: dict) -> dict:
    """What the attention adds to its backbone: ETSD-Net minus the plain network, params (M) and GMACs.

    ``size`` maps model keys to ``{"params_M", "gmacs"}`` (counted at 1x3x224x224 with a 5-class
    head).  ``"mobilenetv2"`` is the paper's architecture (our ETSD-Net on MobileNetV2 features,
    built without pretrained weights: counting needs none); ``"efficientnet_lite0"`` is the Lite0
    network the chapter trains.  Returns ``{backbone: {"params_M", "gmacs"}}`` for the pairs present.
    """
    out = {}
    for etsd, base in (("etsdnet", "mobilenetv2"), ("etsdnet_lite0", "efficientnet_lite0")):
        if etsd in size and base in size:
            out[base] = {q: float(size[etsd][q]) - float(size[base][q]) for q in ("params_M", "gmacs")}
    return out


def _span(lo_hi) -> str:
    """A cited range as the paper writes it: ``(0.98, 0.99)`` -> ``"0.98-0.99"``."""
    return f"{lo_hi[0]:g}-{lo_hi[1]:g}"


def _level(m: int, level: float = 0.95) -> float:
    return verdicts.bonferroni_level(level, max(int(m), 1))


def ranking_intervals(correct: dict, etsd_key: str, baselines: list, groups, n_boot: int = 1000, seed: int = 0,
                      level: float = 0.95) -> dict:
    """ETSD-Net's accuracy minus each baseline's (percentage points), averaged over the seeds, with
    a two-level interval resampling test ``groups`` (patients) and training seeds
    (:func:`accuracy_difference`), Bonferroni-corrected over the baselines.

    ``correct`` maps model keys to boolean arrays (n_test, n_seeds).  Returns
    ``{baseline: SeedInterval}`` (unpacks as (estimate, low, high); ``per_seed`` each seed's difference).
    """
    lv = _level(len(baselines), level)
    return {b: accuracy_difference(correct[etsd_key], correct[b], groups, n_boot, seed, lv) for b in baselines}


def coverage_differences(coverage: dict, etsd_key: str, baselines: list, groups, n_boot: int = 1000, seed: int = 0,
                         level: float = 0.95) -> dict:
    """ETSD-Net's Grad-CAM coverage minus each baseline's on the same test images (mean of the
    per-image differences over images and seeds), with a two-level interval resampling test
    ``groups`` (patients) and training seeds, Bonferroni-corrected over the baselines.

    ``coverage`` maps model keys to per-image coverage (fraction of the ink under the map's upper
    half), shape (n_test,) or (n_test, n_seeds) (column ``j``: the model of seed ``j``).  Returns
    ``{baseline: SeedInterval}``; ``per_seed`` holds each seed's mean difference.
    """
    lv = _level(len(baselines), level)
    out = {}
    e = np.asarray(coverage[etsd_key], float)
    e = e.reshape(len(e), -1)
    for b in baselines:
        d = e - np.asarray(coverage[b], float).reshape(len(e), -1)
        out[b] = seed_bootstrap(lambda d: float(np.mean(d)), {"d": d}, groups=groups, n_boot=n_boot, seed=seed,
                                level=lv)
    return out


def trained_baselines(trained) -> tuple[str | None, list]:
    """The ETSD-Net trained in this run (MobileNetV2- or Lite0-based) and the baselines set against it."""
    trained = [k for k in trained if k != "etsdnet_original"]
    etsd = next((k for k in ETSD_KEYS if k in trained), None)
    return etsd, [k for k in trained if k not in ETSD_KEYS]


# ------------------------------------------------------------------------------------------------
# seed-inclusive intervals (issue #24): every trained quantity over (test units x training seeds)
# ------------------------------------------------------------------------------------------------

def weighted_scores(y_true, y_pred, classes=ev.CLASSES) -> dict:
    """Accuracy and support-weighted precision, recall, F1 (fractions) of one set of predictions.

    The same numbers as scikit-learn's ``average="weighted"`` with ``zero_division=0`` over
    ``classes`` (a class never predicted has precision 0), from the per-class counts: fast enough
    to sit inside a bootstrap.  Weighted recall equals accuracy.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    n = len(y_true)
    if n == 0:
        raise ValueError("weighted_scores needs at least one case")
    counts = confusion(y_true, y_pred, classes).astype(float)
    tp, support, predicted = np.diag(counts).copy(), counts.sum(1), counts.sum(0)
    prec = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    rec = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    f1 = np.divide(2 * tp, support + predicted, out=np.zeros_like(tp), where=(support + predicted) > 0)
    w = support / n
    return {"accuracy": float(tp.sum() / n), "precision": float(w @ prec), "recall": float(w @ rec),
            "f1": float(w @ f1)}


def seed_report(y_true, pred, groups, n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> dict:
    """Accuracy, weighted precision / recall / F1 in percent, each the mean over the training seeds,
    with a two-level interval resampling test ``groups`` (patients) and seeds
    (:func:`tremorlab.learn.metrics.seed_bootstrap`).

    ``pred``: predicted grades (n_test, n_seeds).  Returns ``{metric: SeedInterval}``.
    """
    pred = np.asarray(pred).reshape(len(pred), -1)
    out = {}
    for m in METRICS:
        def stat(y, p, m=m):
            return 100 * float(np.mean([weighted_scores(y, p[:, j])[m] for j in range(p.shape[1])]))
        out[m] = seed_bootstrap(stat, {"y": np.asarray(y_true), "p": pred}, groups=groups, n_boot=n_boot, seed=seed,
                                level=level)
    return out


def accuracy_difference(correct_a, correct_b, groups, n_boot: int = 1000, seed: int = 0,
                        level: float = 0.95) -> SeedInterval:
    """Accuracy of A minus accuracy of B in percentage points, each averaged over its seeds, on the
    same test cases, with a two-level interval (test ``groups`` and seeds resampled; seed column
    ``j`` of A is paired with column ``j`` of B).  ``correct_b`` may be 1-D (a baseline that does
    not depend on the seed, such as the most frequent grade).  ``per_seed``: each seed's difference.
    """
    a = np.asarray(correct_a, float).reshape(len(correct_a), -1)
    b = np.asarray(correct_b, float)
    return seed_bootstrap(lambda a, b: 100 * (float(a.mean()) - float(b.mean())), {"a": a, "b": b}, groups=groups,
                          n_boot=n_boot, seed=seed, level=level)


def auc_over_seeds(y_true, score, groups, n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> SeedInterval:
    """The mean over training seeds of the ROC AUC of ``score`` (n, n_seeds) for boolean ``y_true``,
    with people (``groups``) and seeds resampled; resamples with one class only are skipped."""
    s = np.asarray(score, float).reshape(len(score), -1)

    def stat(y, s):
        return float(np.mean([ev.binary_auc(y, s[:, j]) for j in range(s.shape[1])]))
    return seed_bootstrap(stat, {"y": np.asarray(y_true), "s": s}, groups=groups, n_boot=n_boot, seed=seed,
                          level=level)


def mean_over_seeds(values, groups, n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> SeedInterval:
    """Mean of ``values`` (n, n_seeds) over cases and seeds, with people (``groups``) and seeds resampled."""
    v = np.asarray(values, float).reshape(len(values), -1)
    return seed_bootstrap(lambda v: float(v.mean()), {"v": v}, groups=groups, n_boot=n_boot, seed=seed, level=level)


def interval_list(iv) -> list:
    """``[estimate, low, high]`` of an interval (a :class:`SeedInterval` or a 3-tuple), for metrics.json."""
    return [float(v) for v in iv]


def per_seed_of(intervals: dict) -> dict:
    """``{key: list(per_seed)}`` of a dict of :class:`SeedInterval` (for metrics.json and the verdicts)."""
    return {k: [float(v) for v in iv.per_seed] for k, iv in intervals.items()}


# ------------------------------------------------------------------------------------------------
# the recorded distribution of the quick preset over draws (issue #24, item 4)
# ------------------------------------------------------------------------------------------------

#: the folder (under notebooks/recorded/) that holds the quick preset's draws
QUICK_SEEDS_RECORD = f"{CHAPTER}-quick-seeds"


def _get(d: dict, *keys):
    for k in keys:
        if not isinstance(d, dict) or k not in d or d[k] is None:
            return None
        d = d[k]
    return d


def draw_quantities(metrics: dict) -> dict:
    """The trained quantities of one run (one draw: one data seed and ``n_seeds`` training seeds).

    ``metrics`` is a run's ``metrics`` dict.  Returns ``{name: {"estimate": float, "per_seed":
    [...]}}``: the run's estimate (mean over its training seeds) and, where the run reports it, the
    value of each training seed alone (``per_seed``; one value for a quantity trained with one seed,
    such as the PD-vs-healthy cross-validation), and ``low``/``high``, the run's own interval
    (test units and its training seeds resampled), where the run gives one.
    """
    out: dict[str, dict] = {}

    def put(name, est, per_seed=None, interval=None):
        if est is None:
            return
        ps = [float(v) for v in per_seed] if per_seed is not None else [float(est)]
        out[name] = {"estimate": float(est), "per_seed": ps}
        if interval is not None and len(interval) == 3:
            out[name]["low"], out[name]["high"] = float(interval[1]), float(interval[2])

    for k, rep in (_get(metrics, "test") or {}).items():
        for m in METRICS:
            iv = rep.get(m)
            if iv is not None:
                put(f"{m}.{k}", iv[0], _get(metrics, "test_per_seed", k, m), iv)
    for key in ("vs_majority_pp", "ranking_pp", "gradcam_coverage_diff", "real_auc_pd_vs_healthy"):
        for k, iv in (_get(metrics, key) or {}).items():
            put(f"{key}.{k}", iv[0], _get(metrics, f"{key}_per_seed", k), iv)
    if _get(metrics, "attention_gain_pp") is not None:
        put("attention_gain_pp", metrics["attention_gain_pp"][0], _get(metrics, "attention_gain_pp_per_seed"),
            metrics["attention_gain_pp"])
    for k, g in (_get(metrics, "gradcam_coverage_test") or {}).items():
        put(f"gradcam_coverage_test.{k}", g, _get(metrics, "gradcam_coverage_test_per_seed", k))
    for k, per_class in (_get(metrics, "auc") or {}).items():
        for c, v in per_class.items():
            put(f"auc.{k}.{c}", v, _get(metrics, "auc_per_seed", k, c))
    for name, g in (_get(metrics, "real_expected_grade") or {}).items():
        for c, iv in g.items():
            put(f"real_expected_grade.{name}.{c}", iv[0], _get(metrics, "real_expected_grade_per_seed", name, c), iv)
    for key in ("pd_cv_kaggle", "pd_transfer_newhandpd"):
        for m in ("accuracy", "auc"):
            iv = _get(metrics, key, m)
            if iv is not None:
                put(f"{key}.{m}", iv[0], None, iv)
    if _get(metrics, "trace_baseline", "accuracy") is not None:
        put("trace_baseline.accuracy", metrics["trace_baseline"]["accuracy"][0], None, metrics["trace_baseline"]["accuracy"])
    if _get(metrics, "majority_accuracy") is not None:
        put("majority_accuracy", metrics["majority_accuracy"])
    return out


def summarise_draws(draws: list[dict], level: float = 0.95) -> dict:
    """Mean and spread of each quantity over independent draws of the whole experiment.

    ``draws``: one :func:`draw_quantities` dict per draw (each draw its own phantom cohort, split
    and training seeds).  Per quantity present in every draw: ``mean``, ``sd`` (n-1), ``min``,
    ``max``, ``low``/``high`` (the ``level`` Student-t interval of the mean over the draws, which
    are independent), ``n_draws``, ``draws`` (each draw's estimate), ``per_seed`` (every training
    seed of every draw, in order) and ``interval`` (how ``low``/``high`` were made).  With a single
    draw there is no spread between draws: ``low``/``high`` are then that draw's own interval
    (test units and its training seeds resampled) where it has one, else the estimate itself.
    """
    if not draws:
        raise ValueError("summarise_draws needs at least one draw")
    names = [k for k in draws[0] if all(k in d for d in draws)]
    out = {}
    for k in names:
        x = np.array([d[k]["estimate"] for d in draws], float)
        n = x.size
        mean = float(x.mean())
        sd = float(x.std(ddof=1)) if n > 1 else 0.0
        if n > 1:
            _, low, high = t_interval(x, level)
            how = f"Student-t interval of the mean over {n} draws"
        elif "low" in draws[0][k]:
            low, high, how = draws[0][k]["low"], draws[0][k]["high"], "the one draw's own interval"
        else:
            low, high, how = mean, mean, "one draw, no interval"
        out[k] = {"mean": mean, "sd": sd, "min": float(x.min()), "max": float(x.max()), "low": float(low),
                  "high": float(high), "n_draws": int(n), "draws": [float(v) for v in x],
                  "per_seed": [float(v) for d in draws for v in d[k]["per_seed"]], "interval": how}
    return out


def write_seed_record(folder: str | os.PathLike, runs: dict, provenance: dict) -> Path:
    """Write the quick preset's draws to ``folder/draws.json`` (atomically).

    ``runs`` maps a draw's label to ``{"metrics": <its metrics dict>, "seed": int, "kernels": str,
    "wall_time_s": float, "source": str}``; ``provenance`` (command, commit, machine) is stored
    beside them.  Only :func:`draw_quantities` of each run is kept.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    draws = []
    for label, r in runs.items():
        draws.append({"label": label, "seed": int(r["seed"]), "kernels": r.get("kernels", ""),
                      "wall_time_s": r.get("wall_time_s"), "source": r.get("source", ""),
                      "started_utc": r.get("started_utc"), "cpu_count": r.get("cpu_count"),
                      "n_seeds": int(r["metrics"].get("n_seeds", 1)), "quantities": draw_quantities(r["metrics"])})
    path = folder / "draws.json"
    write_json_atomic(path, {"chapter": CHAPTER, "preset": "quick", "provenance": provenance, "draws": draws})
    return path


def record_from_runs(folder: str | os.PathLike, runs: dict, command: str, default_seed: int = 0) -> Path:
    """Write the record of :func:`write_seed_record` from finished runs of the quick preset.

    ``runs`` maps a draw's label to a run folder (``metrics.json``, and ``provenance.json`` when the
    run has one: its seed parameter, kernel choice, commit and wall time are kept) or to a
    ``metrics.json`` file (the committed reference, which has no provenance: seed ``default_seed``).
    ``command`` says how the runs were made.  Raises ValueError for a run of another chapter or preset.
    """
    entries, commits = {}, set()
    for label, where in runs.items():
        rec, draw = repro.read_run(where, default_seed=default_seed)
        if rec.get("chapter") != CHAPTER or rec.get("preset") != "quick":
            raise ValueError(f"{draw['source']}: a run of {rec.get('chapter')!r} ({rec.get('preset')!r}); expected "
                             f"{CHAPTER} (quick)")
        if draw["commit"]:
            commits.add(draw["commit"])
        entries[label] = {"metrics": rec["metrics"], **{k: v for k, v in draw.items() if k != "commit"}}
    provenance = {"command": command, "commit": ", ".join(sorted(commits)) or "unknown"}
    return write_seed_record(folder, entries, provenance)


def load_seed_record(folder: str | os.PathLike, level: float = 0.95) -> dict:
    """The recorded draws of ``folder/draws.json`` with their summary (:func:`summarise_draws`).

    Returns ``{"draws": [...], "provenance": {...}, "summary": {name: {...}}, "seeds": [each draw's
    seed], "n_training_seeds": total over the draws}``.  Raises FileNotFoundError naming the file.
    """
    import json

    path = Path(folder) / "draws.json"
    if not path.is_file():
        raise FileNotFoundError(f"no recorded draws at {path} (write them with write_seed_record)")
    rec = json.loads(path.read_text())
    draws = rec["draws"]
    if not draws:
        raise ValueError(f"{path}: 'draws' is empty; expected at least one draw")
    return {"draws": draws, "provenance": rec.get("provenance", {}),
            "summary": summarise_draws([d["quantities"] for d in draws], level=level),
            "seeds": [int(d["seed"]) for d in draws], "n_training_seeds": int(sum(d["n_seeds"] for d in draws))}


# ------------------------------------------------------------------------------------------------
# the closing table
# ------------------------------------------------------------------------------------------------

def record_intervals(record: dict) -> dict:
    """The closing table's trained quantities from a recorded distribution (:func:`load_seed_record`).

    Returns the keyword arguments of :func:`comparisons` that carry trained results
    (``reports``, ``attention_gain``, ``ranking``, ``coverage_diff``, ``aucs``, ``pd_cv``), each
    interval a :class:`SeedInterval` whose estimate is the mean over the draws, whose interval is
    the Student-t interval of that mean, and whose ``per_seed`` lists every training seed of every
    draw -- so a sign that differs between any two recorded seeds makes the verdict a tie.
    """
    S = record["summary"]

    def iv(name):
        q = S[name]
        return SeedInterval(q["mean"], q["low"], q["high"], tuple(q["per_seed"]))

    def under(prefix):
        return {k[len(prefix):]: iv(k) for k in S if k.startswith(prefix)}

    reports: dict = {}
    for m in METRICS:
        for k, v in under(f"{m}.").items():
            reports.setdefault(k, {})[m] = v
    out = {"reports": reports, "ranking": under("ranking_pp."), "coverage_diff": under("gradcam_coverage_diff.")}
    if "attention_gain_pp" in S:
        out["attention_gain"] = iv("attention_gain_pp")
    if "pd_cv_kaggle.accuracy" in S:
        out["pd_cv"] = {"accuracy": iv("pd_cv_kaggle.accuracy")}
    out["aucs_by_model"] = {}
    for k in S:
        if k.startswith("auc."):
            model, c = k[len("auc."):].rsplit(".", 1)
            out["aucs_by_model"].setdefault(model, {})[c] = S[k]["mean"]
    return out


def _seeds(iv):
    """The per-seed values of an interval, or None for a plain (estimate, low, high)."""
    ps = getattr(iv, "per_seed", None)
    return None if ps is None else [float(v) for v in ps]


def _ranking_verdict(intervals: dict, names: dict, what: str, units: str) -> verdicts.Verdict:
    """``all_differences`` over the baselines trained; a 'reproduced' over fewer than the paper's
    four baselines does not test the claim (not comparable), a 'not reproduced' or 'tie' does.
    Intervals that carry ``per_seed`` (:class:`SeedInterval`) make a sign that changes between
    training seeds a tie."""
    seeds = {names.get(k, k): _seeds(iv) for k, iv in intervals.items()}
    per_seed = seeds if all(v is not None for v in seeds.values()) else None
    v = verdicts.all_differences({names.get(k, k): tuple(iv)[1:] for k, iv in intervals.items()}, +1, what=what,
                                 units=units, per_seed=per_seed)
    if v.word == verdicts.REPRODUCED and len(intervals) < len(BASELINES):
        return verdicts.not_comparable(f"only {len(intervals)} of the paper's {len(BASELINES)} baselines were trained "
                                       f"in this run; on those: {v.rule}")
    return v


def _fmt_intervals(intervals: dict, names: dict, fmt: str = "+.1f") -> str:
    return "; ".join(f"{names.get(k, k)} {e:{fmt}} [{lo:{fmt}}, {hi:{fmt}}]" for k, (e, lo, hi) in intervals.items())


def comparisons(*, names: dict, preset: str, seed: int = 0, n_seeds: int = 1, image_size: int = 224,
                start: str = "ImageNet start", n_test: int = 0, reports: dict | None = None, size: dict | None = None,
                cost: dict | None = None, search: dict | None = None, latency: dict | None = None,
                latency_ratio: float | None = None, latency_ratio_lite: float | None = None,
                attention_gain: tuple | None = None, pair: tuple | None = None, ranking: dict | None = None,
                coverage_diff: dict | None = None, n_coverage: int = 0, aucs: dict | None = None,
                pd_cv: dict | None = None, pd_folds: int = 0, raters: list | None = None,
                cohort: dict | None = None, n_run_images: int | None = None,
                augmentation_gain: float | None = None, record: dict | None = None) -> list[dict]:
    """The rows of chapter 1's closing table.

    ``names``: model key -> display name; ``reports``: model key -> {metric: (est, lo, hi)} (first
    seed); ``size``: model key -> {"params_M", "gmacs"}; ``cost``: :func:`attention_cost`;
    ``search``: counts of :func:`tremorlab.vision.etsdnet.paper_attention_search` (``n``, ``both_ok``);
    ``latency``: model key -> {"median", "sd"} (ms); ``attention_gain``: (est, lo, hi) of ETSD-Net
    minus its backbone over seeds; ``ranking``: :func:`ranking_intervals`; ``coverage_diff``:
    :func:`coverage_differences`; ``aucs``: class -> AUC of the trained ETSD-Net; ``pd_cv``: the
    Kaggle by-person report; ``raters``: simulated raters' accuracy (%); ``cohort``: counts
    ``images``, ``patients``, ``scans``, ``photos`` of the phantom cohort.

    Intervals given as :class:`SeedInterval` carry each training seed's value, and a difference
    whose sign changes between seeds is a tie.  ``record`` (:func:`load_seed_record`): the trained
    rows (Table 4, attention gain, ranking, Grad-CAM, per-class AUC, PD-vs-healthy accuracy) come
    from the recorded distribution of the quick preset instead of this run (:func:`record_intervals`),
    so that one draw does not decide them.
    """
    P = PAPER
    rows: list[dict] = []
    reports = reports or {}
    basis = f"this run, {n_seeds} training seeds"
    first = f"mean over {n_seeds} seeds"
    if record is not None:
        r = record_intervals(record)
        reports = r["reports"] or reports
        attention_gain = r.get("attention_gain", attention_gain)
        ranking = r["ranking"] or ranking
        coverage_diff = r["coverage_diff"] or coverage_diff
        if pair is not None and pair[0] in r["aucs_by_model"]:
            aucs = r["aucs_by_model"][pair[0]]
        if pd_cv is not None and "pd_cv" in r:
            pd_cv = dict(pd_cv, accuracy=r["pd_cv"]["accuracy"])
        seeds_s = ", ".join(str(v) for v in record["seeds"])
        basis = (f"the recorded distribution of the quick preset: {len(record['draws'])} draws (seeds {seeds_s}; "
                 f"each its own phantom cohort, split and training seeds), {record['n_training_seeds']} training "
                 "seeds per model; interval: "
                 + ("Student-t of the mean over the draws" if len(record["draws"]) > 1 else
                    "the one recorded draw's own, resampling test units and its training seeds"))
        first = f"mean over the {record['n_training_seeds']} training seeds of {len(record['draws'])} recorded draws"
    why_data = ("our test set is the CRST phantom (simulated patients, simulated raters), the paper's 997 graded "
                f"images are private; this run: {n_test} test images, {image_size}px, {start}")
    phantom = verdicts.not_comparable(why_data)

    # Table 4: the paper's MobileNetV2 pair is stood in for by the Lite0 pair where that is what was trained
    for k in MODELS:
        ours_key = k if k in reports else (STAND_IN.get(k) if STAND_IN.get(k) in reports else None)
        for m in METRICS:
            ours = round(float(tuple(reports[ours_key][m])[0]), 2) if ours_key else None
            v = (verdicts.not_comparable(f"{why_data}; ours from {names.get(ours_key, ours_key)} ({first})")
                 if ours_key else verdicts.not_comparable(f"{names.get(k, k)} not trained in the {preset} preset"))
            rows.append(C(f"Table 4 {m}, {names.get(k, k)}", P[f"table4.{m}.{k}"].value, ours, "%", v,
                          P[f"table4.{m}.{k}"].source))

    # what a trained row's interval resamples: this run's test patients and seeds, or the recorded draws
    if record is None:
        trained_units = "test patients and training seeds"
        family = lambda n: f"{trained_units}, Bonferroni over {n}"
    else:
        trained_units = f"{len(record['draws'])} recorded draws (Student-t over the draws)"
        family = lambda n: trained_units + (f", not corrected for the {n} comparisons" if n > 1 else "")
    if attention_gain is not None and pair is not None:
        e, lo, hi = attention_gain
        rows.append(C("attention gain: ETSD-Net minus its backbone, accuracy", P["attention_gain_pp"].value,
                      f"{e:.1f} [{lo:.1f}, {hi:.1f}]", "percentage points",
                      verdicts.difference(lo, hi, +1, what="ETSD-Net's accuracy minus its backbone's",
                                          units=trained_units, per_seed=_seeds(attention_gain)),
                      f"{names.get(pair[0])} minus {names.get(pair[1])}, same split and data; {basis}; the "
                      "direction is the paper's claim, the phantom makes sizes not comparable"))
    if ranking:
        rows.append(C("ranking: ETSD-Net above every baseline, accuracy", P["ranking"].value,
                      _fmt_intervals(ranking, names), "percentage points",
                      _ranking_verdict(ranking, names, "ETSD-Net's accuracy minus each baseline's",
                                       family(len(ranking))),
                      f"{P['ranking'].source}; {basis}; ours: the baselines trained in the {preset} preset "
                      f"(EfficientNet-Lite0 stands for MobileNet-V2 when the Lite0 pair is trained)"))
    if coverage_diff:
        rows.append(C("Grad-CAM: ETSD-Net's attention the most global (ink coverage)", P["gradcam_global"].value,
                      _fmt_intervals(coverage_diff, names, "+.3f"), "coverage difference",
                      _ranking_verdict(coverage_diff, names, "ETSD-Net's Grad-CAM ink coverage minus each baseline's",
                                       family(len(coverage_diff))),
                      f"{P['gradcam_global'].source}; {basis}; ours: share of the ink where the map exceeds half its "
                      f"maximum, on every test image ({n_coverage} in this run), every seed's models; the paper judged "
                      "by eye"))

    for k in BASELINES:
        if size is None or k not in size:
            continue
        p_ours, g_ours = float(size[k]["params_M"]), float(size[k]["gmacs"])
        rows.append(C(f"Table 5 params, {names.get(k, k)}", P[f"table5.params.{k}"].value, round(p_ours, 3), "M",
                      verdicts.within(p_ours, P[f"table5.params.{k}"].value, rel_tol=PARAMS_REL_TOL, unit="M"),
                      "timm's network, 5-class head"))
        rows.append(C(f"Table 5 FLOPs, {names.get(k, k)}", P[f"table5.gmacs.{k}"].value, round(g_ours, 3), "G (MACs)",
                      verdicts.within(g_ours, P[f"table5.gmacs.{k}"].value, rel_tol=MACS_REL_TOL, unit="G"),
                      "fvcore multiply-accumulates at 1x3x224x224 (the paper's FLOPs are MAC counts)"))
    if cost and "mobilenetv2" in cost:
        d = cost["mobilenetv2"]
        for q, unit, label in (("params", "M", "parameters"), ("gmacs", "G", "MACs")):
            ours = d["params_M" if q == "params" else "gmacs"]
            rows.append(C(f"attention {label} (ETSD-Net minus MobileNet-V2)", P[f"attention.{q}"].value,
                          round(ours, 4), unit,
                          verdicts.within(ours, P[f"attention.{q}"].value, abs_tol=ATTENTION_ABS_TOL[q], unit=unit),
                          f"{P[f'attention.{q}'].source}; ours: the paper's architecture (CBAM in MobileNetV2's 7 "
                          "stage-final blocks, r = 16, 7x7, counted without pretrained weights) minus MobileNetV2, "
                          "fvcore at 224 px; tolerance: the rounding of the paper's two entries"))
    if cost and "efficientnet_lite0" in cost:
        d = cost["efficientnet_lite0"]
        rows.append(C("attention parameters / MACs, Lite0 (the trained pair)",
                      f"{P['attention.params'].value} M / {P['attention.gmacs'].value} G",
                      f"{d['params_M']:.4f} M / {d['gmacs']:.4f} G", "M / G",
                      verdicts.not_comparable("the same module on EfficientNet-Lite0, the network trained here; the "
                                              "paper's delta is over MobileNetV2 (row above)"), "fvcore at 224 px"))
    if search is not None:
        rows.append(C("attention configurations matching both deltas",
                      f"{P['attention.params'].value} M and {P['attention.gmacs'].value} G",
                      f"{int(search['both_ok'])} of {int(search['n'])}", "configurations",
                      verdicts.not_comparable("a search, not a measurement of the paper's module: placement x position "
                                              "x reduction x kernel x spatial input, counted from layer shapes (tested "
                                              "against built networks); the paper gives none of these, so its module "
                                              "cannot be pinned down"),
                      f"within {100 * search.get('tolerance', etsdnet.SEARCH_TOLERANCE):g} % of each delta"))
    if latency:
        hw = verdicts.not_comparable("different hardware (ours: one CPU thread, batch 1); compare the ratios instead")
        for k in _T5:
            if k not in latency:
                continue
            rows.append(C(f"Table 5 latency, {names.get(k, k)}", P[f"table5.latency_mean.{k}"].value,
                          round(latency[k]["median"], 1), "ms", hw, "ours: the median of the repeated runs"))
            rows.append(C(f"Table 5 latency s.d., {names.get(k, k)}", P[f"table5.latency_sd.{k}"].value,
                          round(latency[k]["sd"], 2), "ms", hw, "ours: the s.d. of the repeated runs"))
    if latency_ratio is not None:
        rows.append(C("latency ETSD-Net / MobileNet-V2", P["latency_ratio"].value, round(latency_ratio, 2), "ratio",
                      verdicts.within(latency_ratio, P["latency_ratio"].value, rel_tol=0.25),
                      f"{P['latency_ratio'].source}; ours: medians of the same run on the same machine (one CPU "
                      "thread); tolerance 25 % of the ratio, for the machine"))
    if latency_ratio_lite is not None:
        rows.append(C("latency ETSD-Net (Lite0) / EfficientNet-Lite0", P["latency_ratio"].value,
                      round(latency_ratio_lite, 2), "ratio",
                      verdicts.not_comparable("the paper's ratio is over MobileNetV2; ours is the same attention on "
                                              "EfficientNet-Lite0, same run"), P["latency_ratio"].source))
    if augmentation_gain is not None:
        rows.append(C("augmentation gain in ETSD-Net accuracy", P["augmentation_gain_pp"].value,
                      round(float(augmentation_gain), 2), "percentage points", phantom,
                      P["augmentation_gain_pp"].source))
    if aucs and pair is not None:
        a = [float(v) for v in aucs.values()]
        rows.append(C("per-class AUC range, ETSD-Net", _span(P["auc_range"].value), f"{min(a):.2f}-{max(a):.2f}", "AUC",
                      verdicts.not_comparable(f"{why_data}; ours from {names.get(pair[0])} ({first})"),
                      P["auc_range"].source))
    if pd_cv is not None:
        a = tuple(pd_cv["accuracy"])
        rows.append(C("Kaggle spirals, PD vs healthy accuracy (Rosebrock 2019, PyImageSearch: HOG + random forest)",
                      P["rosebrock_pd_accuracy"].value, f"{a[0]:.1f} [{a[1]:.1f}, {a[2]:.1f}]", "%",
                      verdicts.not_comparable(
                          "theirs: the source's 30 testing images, whose people also have images in its training "
                          f"folder; ours: ImageNet EfficientNet-Lite0, {pd_folds}-fold cross-validation by person "
                          f"({sum(pd_cv['n_people'].values())} people), the PD network trained with one seed per draw; "
                          + (f"{basis}" if record is not None else "95 % interval resampling people")
                          + "; a tutorial, not a peer-reviewed result"),
                      P["rosebrock_pd_accuracy"].source))
    if raters:
        rows.append(C("clinician rating accuracy", _span(P["clinician_range"].value), f"{min(raters):.1f}-{max(raters):.1f}", "%",
                      verdicts.not_comparable("ours are simulated raters whose noise was chosen to give this "
                                              "agreement"), P["clinician_range"].source))
    if cohort:
        keys = ("images", "patients", "scans", "photos")
        paper_s = " / ".join(str(P[f"dataset.{k}"].value) for k in keys)
        ours_s = " / ".join(str(int(cohort[k])) for k in keys)
        used = f"; this run uses {n_run_images} of its images" if n_run_images is not None else ""
        rows.append(C("dataset: images / patients / scans / photos", paper_s, ours_s, "count",
                      verdicts.by_construction(
                          "the phantom cohort is built to the paper's image and patient counts and CRST groups, and "
                          "a fifth of its patients (drawn at random) draw at home, so its scans/photos follow those "
                          f"patients' image counts and land near the paper's 8:2 split, not on it (ours {ours_s}; "
                          f"paper {paper_s}): agreement is no test{used}"),
                      "Methods, Dataset"))
    return rows
