"""Nested, stratified cross-validation by child for the dysgraphia classifiers (chapter 4).

Every child is one unit: one session, one label, one out-of-fold prediction per repetition.

* :func:`nested_cv` — outer ``StratifiedKFold`` (repeated with different shuffles), and inside
  each outer training part an inner ``StratifiedKFold`` that picks every modelling choice from a
  grid (which writing of the session, the model's hyper-parameters, ...) by inner accuracy.  The
  outer test children are used once, to score the model refitted on the whole outer training
  part with the chosen setting.  The feature extractor's population part (the mean spectra of
  the distance features) and any age adjustment are fitted on training children only.
* :func:`child_metrics` — accuracy, F1, sensitivity, specificity with percentile intervals from
  a bootstrap over children (a resampled child keeps all its repetitions).
* :func:`age_adjust` — residuals of every feature after a least-squares line on age fitted on
  the training children.
* :class:`DysgraphiaModel` — the chosen pipeline trained on a whole cohort, saved with
  :meth:`DysgraphiaModel.save` and applied to another folder of children
  (:func:`apply_to_folder`).
"""

from __future__ import annotations

import itertools
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tremorlab._files import atomic_write
from tremorlab.features.handwriting import HandwritingFeatures, summarize
from tremorlab.features.session_tasks import select_writing
from tremorlab.io import dysgraphia as dg
from tremorlab.io.types import RecordingError
from tremorlab.learn.metrics import confusion

__all__ = ["make_model", "FeatureTable", "nested_cv", "select_setting", "grid_product", "NestedResult", "child_metrics", "age_adjust",
           "DysgraphiaModel", "apply_to_folder", "train_on_folder", "MODEL_FORMAT"]

MODEL_FORMAT = "tremorlab-dysgraphia-model/1"


def make_model(kind: str, seed: int, **params):
    """``"rf"`` (random forest), ``"adaboost"`` (decision stumps, as scikit-learn's default),
    ``"logistic"`` (standardised logistic regression): each behind a median imputer."""
    from sklearn.ensemble import AdaBoostClassifier, RandomForestClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    imp = SimpleImputer(strategy="median", keep_empty_features=True)
    if kind == "rf":
        return make_pipeline(imp, RandomForestClassifier(random_state=seed, n_jobs=1, **params))
    if kind == "adaboost":
        return make_pipeline(imp, AdaBoostClassifier(random_state=seed, **params))
    if kind == "logistic":
        return make_pipeline(imp, StandardScaler(), LogisticRegression(max_iter=1000, **params))
    raise ValueError(f"model kind must be 'rf', 'adaboost' or 'logistic', got {kind!r}")


def age_adjust(F_train: np.ndarray, age_train: np.ndarray, F: np.ndarray, age: np.ndarray) -> np.ndarray:
    """``F - (a + b age)`` per column, ``a, b`` fitted by least squares on the training rows
    (NaNs left out of the fit and kept as NaN)."""
    F, F_train = np.asarray(F, float), np.asarray(F_train, float)
    out = np.full_like(F, np.nan)
    A = np.stack([np.ones_like(age_train, dtype=float), np.asarray(age_train, float)], 1)
    for j in range(F.shape[1]):
        ok = np.isfinite(F_train[:, j])
        if ok.sum() < 3:
            out[:, j] = F[:, j]
            continue
        coef, *_ = np.linalg.lstsq(A[ok], F_train[ok, j], rcond=None)
        out[:, j] = F[:, j] - (coef[0] + coef[1] * np.asarray(age, float))
    return out


@dataclass
class FeatureTable:
    """Per child: the population-independent feature summaries for each writing choice, and covariates.

    ``summaries[writing]`` is a list of :class:`~tremorlab.features.handwriting.Summary` in child
    order; ``covariates`` a dict of arrays (``age``, ``sex`` 1 = M, ``hand`` 1 = L).
    """

    summaries: dict
    covariates: dict
    children: list

    def matrix(self, writing: str, train: np.ndarray, rows: np.ndarray, extractor=None) -> np.ndarray:
        """The 53 features of ``rows``, the distance features measured against the mean spectra
        of the ``train`` children."""
        from sklearn.base import clone

        base = extractor if extractor is not None else HandwritingFeatures()
        S = self.summaries[writing]
        ext = clone(base).fit([S[i] for i in train])
        return ext.transform([S[i] for i in rows])


def _setting_features(table: FeatureTable, setting: dict, train, rows):
    src = setting.get("inputs", "features")
    if src == "features":
        F_tr = table.matrix(setting["writing"], train, train)
        F = table.matrix(setting["writing"], train, rows)
        if setting.get("age_adjusted"):
            a = table.covariates["age"]
            F = age_adjust(F_tr, a[train], F, a[rows])
        return F
    cols = [table.covariates[c] for c in src.split("+")]
    return np.stack(cols, 1)[rows].astype(float)


def _fit_predict(table, y, setting, train, test, seed):
    X_tr = _setting_features(table, setting, train, train)
    X_te = _setting_features(table, setting, train, test)
    kind = setting["model"]
    params = {k: v for k, v in setting.items() if k not in ("model", "writing", "inputs", "age_adjusted")}
    m = make_model(kind, seed, **params).fit(X_tr, y[train])
    return m.predict_proba(X_te)[:, 1], m


@dataclass
class NestedResult:
    """Out-of-fold predictions of a nested CV: ``proba[r, i]`` for repetition ``r`` and child ``i``."""

    proba: np.ndarray
    y: np.ndarray
    chosen: list = field(default_factory=list)           # (repetition, fold, setting) per outer fold
    importances: list = field(default_factory=list)      # per outer fold (rf only), with the writing
    sub: dict = field(default_factory=dict)              # restricted grids (see nested_cv's subgrids)

    @property
    def pred(self) -> np.ndarray:
        return (self.proba >= 0.5).astype(int)

    def chosen_counts(self, key: str) -> dict:
        out: dict = {}
        for _, _, s in self.chosen:
            out[str(s.get(key))] = out.get(str(s.get(key)), 0) + 1
        return out


def select_setting(table: FeatureTable, y, grid: list[dict], inner_splits: int = 5, seed: int = 0) -> tuple[dict, list]:
    """The grid setting of highest mean accuracy over a stratified ``inner_splits``-fold CV on all
    children of ``table`` (what :func:`nested_cv` does inside each outer training part; used to
    choose the setting of the final model trained on a whole cohort).  Returns ``(setting, scores)``."""
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(y).astype(int)
    inner = StratifiedKFold(inner_splits, shuffle=True, random_state=seed)
    splits = list(inner.split(np.zeros(y.size), y))
    scores = [float(np.mean([np.mean((_fit_predict(table, y, s, a, b, seed)[0] >= 0.5) == y[b]) for a, b in splits]))
              for s in grid]
    return grid[int(np.argmax(scores))], scores


def nested_cv(table: FeatureTable, y, grid: list[dict], outer_splits: int = 10, repeats: int = 1,
              inner_splits: int = 5, seed: int = 0, subgrids: dict | None = None) -> NestedResult:
    """Nested stratified CV by child; every setting of ``grid`` is a dict with ``model`` and its
    parameters plus ``writing`` (or ``inputs`` for covariate baselines, e.g. ``"age"``).

    The inner loop scores every setting by accuracy over its ``inner_splits`` folds (ties: the
    first setting of ``grid``) using the outer training children only; the chosen setting is
    refitted on all of them and predicts the outer test children.

    ``subgrids`` maps a name to a predicate on settings: the same nested CV restricted to the
    settings it accepts (same splits, same inner scores), in ``result.sub[name]`` -- e.g. the
    forest without and with age adjustment, at the cost of one extra fit per outer fold.
    """
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(y).astype(int)
    n = y.size
    proba = np.full((repeats, n), np.nan)
    res = NestedResult(proba=proba, y=y)
    subgrids = subgrids or {}
    for name, keep in subgrids.items():
        if not any(keep(s) for s in grid):
            raise ValueError(f"subgrid {name!r} accepts no setting of the grid")
        res.sub[name] = NestedResult(proba=np.full((repeats, n), np.nan), y=y)
    for r in range(repeats):
        outer = StratifiedKFold(outer_splits, shuffle=True, random_state=seed + 1000 * r)
        for k, (tr, te) in enumerate(outer.split(np.zeros(n), y)):
            fold_seed = seed + 1000 * r + k
            scores = [0.0]
            if len(grid) == 1:
                best = grid[0]
            else:
                inner = StratifiedKFold(inner_splits, shuffle=True, random_state=fold_seed)
                splits = [(tr[a], tr[b]) for a, b in inner.split(np.zeros(tr.size), y[tr])]
                scores = []
                for s in grid:
                    acc = [np.mean((_fit_predict(table, y, s, a, b, fold_seed)[0] >= 0.5) == y[b]) for a, b in splits]
                    scores.append(float(np.mean(acc)))
                best = grid[int(np.argmax(scores))]
            p, m = _fit_predict(table, y, best, tr, te, fold_seed)
            proba[r, te] = p
            res.chosen.append((r, k, best))
            est = m[-1]
            if hasattr(est, "feature_importances_") and best.get("inputs", "features") == "features":
                res.importances.append((best["writing"], est.feature_importances_))
            for name, keep in subgrids.items():
                idx = [i for i, s in enumerate(grid) if keep(s)]
                b = grid[max(idx, key=lambda i: (scores[i] if len(grid) > 1 else 0.0, -i))]
                sp = p if b is best else _fit_predict(table, y, b, tr, te, fold_seed)[0]
                res.sub[name].proba[r, te] = sp
                res.sub[name].chosen.append((r, k, b))
    return res


def _rates(y, pred) -> dict:
    tn, fp, fn, tp = confusion(y, pred, (0, 1)).ravel()
    sens = tp / (tp + fn) if (tp + fn) else np.nan
    spec = tn / (tn + fp) if (tn + fp) else np.nan
    return {"accuracy": (tp + tn) / y.size, "balanced_accuracy": (sens + spec) / 2,
            "f1": 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else 0.0,
            "sensitivity": tp / (tp + fn) if (tp + fn) else np.nan,
            "specificity": tn / (tn + fp) if (tn + fp) else np.nan}


def child_metrics(y, pred, n_boot: int = 2000, level: float = 0.95, seed: int = 0, rows=None) -> dict:
    """Accuracy, F1, sensitivity, specificity of ``pred`` (shape ``(repeats, children)`` or
    ``(children,)``), averaged over repetitions, with percentile intervals from ``n_boot``
    bootstrap resamples of children (``rows`` restricts to a subset, e.g. an age band).

    Returns ``{metric: {"value", "low", "high"}}`` in percent, plus ``n`` children.
    """
    y = np.asarray(y).astype(int)
    P = np.atleast_2d(np.asarray(pred).astype(int))
    idx = np.arange(y.size) if rows is None else np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows)
    y, P = y[idx], P[:, idx]

    def stat(sel):
        vals = [_rates(y[sel], P[r, sel]) for r in range(P.shape[0])]
        out = {}
        for k in vals[0]:
            v = np.array([d[k] for d in vals], float)
            out[k] = float(v[np.isfinite(v)].mean()) if np.isfinite(v).any() else float("nan")
        return out

    est = stat(np.arange(y.size))
    rng = np.random.default_rng(seed)
    boots = [stat(rng.integers(0, y.size, y.size)) for _ in range(n_boot)]
    a = (1 - level) / 2
    out = {}
    for k, v in est.items():
        b = np.array([d[k] for d in boots], float)
        b = b[np.isfinite(b)]
        lo, hi = (np.quantile(b, [a, 1 - a]) if b.size else (np.nan, np.nan))
        out[k] = {"value": round(100 * v, 2), "low": round(100 * float(lo), 2), "high": round(100 * float(hi), 2)}
    out["n"] = int(y.size)
    return out


# ---------------------------------------------------------------------------------------------
# the trained model, saved and applied


@dataclass
class DysgraphiaModel:
    """The 53-feature classifier trained on a whole cohort with one fixed setting.

    ``setting`` holds ``model``, ``writing`` and the model parameters (as :func:`nested_cv`'s
    grid).  :meth:`fit` takes recordings (one session per child) and labels; :meth:`predict_proba`
    recordings of new children.
    """

    setting: dict
    seed: int = 0

    def _summaries(self, recordings):
        return [summarize(select_writing(r, self.setting["writing"])) for r in recordings]

    def fit(self, recordings, y, ages=None):
        """Train on one session per child; ``ages`` (years) are needed when the setting adjusts
        the features for age."""
        if self.setting.get("inputs", "features") != "features":
            raise ValueError("DysgraphiaModel holds the handwriting-feature models only (no covariate inputs)")
        y = np.asarray(y).astype(int)
        S = self._summaries(recordings)
        self.extractor_ = HandwritingFeatures().fit(S)
        F = self.extractor_.transform(S)
        if self.setting.get("age_adjusted"):
            if ages is None or len(ages) != y.size:
                raise ValueError("this setting adjusts the features for age: pass the children's ages")
            self.F_train_, self.age_train_ = F, np.asarray(ages, float)
            F = age_adjust(F, self.age_train_, F, self.age_train_)
        params = {k: v for k, v in self.setting.items() if k not in ("model", "writing", "inputs", "age_adjusted")}
        self.model_ = make_model(self.setting["model"], self.seed, **params).fit(F, y)
        self.n_train_ = int(y.size)
        return self

    def predict_proba(self, recordings, ages=None) -> np.ndarray:
        """Probability of dysgraphia per recording (``ages`` needed when the model adjusts for age)."""
        F = self.extractor_.transform(self._summaries(recordings))
        if self.setting.get("age_adjusted"):
            if ages is None or len(ages) != F.shape[0] or not np.isfinite(np.asarray(ages, float)).all():
                raise ValueError("this model adjusts the features for age: give every child's age "
                                 "(a label sheet with ID and age columns)")
            F = age_adjust(self.F_train_, self.age_train_, F, np.asarray(ages, float))
        return self.model_.predict_proba(F)[:, 1]

    def save(self, path: str | os.PathLike) -> Path:
        """Pickle the fitted model with a format tag and the library versions (atomic write)."""
        import sklearn

        path = Path(path)
        blob = {"format": MODEL_FORMAT, "sklearn": sklearn.__version__, "numpy": np.__version__, "model": self}
        with atomic_write(path, "wb") as fh:
            pickle.dump(blob, fh)
        return path

    @staticmethod
    def load(path: str | os.PathLike) -> "DysgraphiaModel":
        """Load a model written by :meth:`save` (only load files you trust: this is a pickle)."""
        import sklearn

        with open(path, "rb") as fh:
            blob = pickle.load(fh)
        if not isinstance(blob, dict) or blob.get("format") != MODEL_FORMAT:
            raise ValueError(f"{path}: not a {MODEL_FORMAT} file")
        if blob["sklearn"] != sklearn.__version__:
            raise ValueError(f"{path}: saved with scikit-learn {blob['sklearn']}, this is {sklearn.__version__}; "
                             "retrain the model (tremorlab dysgraphia train)")
        return blob["model"]


def apply_to_folder(model: "DysgraphiaModel | str | os.PathLike", folder, labels=None):
    """Predict every child of ``folder`` (the set's layout, see :func:`tremorlab.io.dysgraphia.load_cohort`).

    With a label sheet (found in the folder or passed; ``diag`` may be empty for children without
    a diagnosis, shown as -1) the table also has the label, and the ages are taken from it (a
    model that adjusts for age needs them); without one, every session under ``folder`` is predicted.  Returns a DataFrame indexed by child with
    ``p_dysgraphia`` and ``predicted`` (1 = dysgraphic at p >= 0.5).
    """
    import re

    import pandas as pd

    if not isinstance(model, DysgraphiaModel):
        model = DysgraphiaModel.load(model)
    folder = Path(folder)
    has_sheet = labels is not None or any(folder.glob("*.xlsx")) or (folder / "labels.csv").exists()
    ages = None
    if has_sheet:
        coh = dg.load_cohort(folder, labels, require_diag=False)
        ids = [c.child for c in coh.children]
        recs = [c.recording for c in coh.children]
        truth = [c.label for c in coh.children]
        ages = [c.age for c in coh.children]
    else:
        ids, recs, truth = [], [], None
        for p in sorted(folder.glob("user*/session*/*.svc")):
            try:
                rec = dg.read_session_svc(p)
            except RecordingError as exc:
                if exc.field == "sample count" and str(exc.got) == "0":
                    continue
                raise
            m = re.match(r"u(\d+)s", p.name)
            cid = m.group(1) if m else p.stem
            if cid in ids:
                j = ids.index(cid)
                if rec.n_samples > recs[j].n_samples:
                    recs[j] = rec
                continue
            ids.append(cid)
            recs.append(rec)
        if not recs:
            raise RecordingError(str(folder), "<files>", "session files user*/session*/*.svc", "none")
    p = model.predict_proba(recs, ages=ages)
    out = pd.DataFrame({"child": ids, "p_dysgraphia": np.round(p, 4), "predicted": (p >= 0.5).astype(int)})
    if truth is not None and any(t >= 0 for t in truth):
        out["label"] = truth                     # -1 where the sheet gives no diagnosis
    return out.set_index("child")


def grid_product(model: str, writings, **param_lists) -> list[dict]:
    """All combinations of ``writings`` and the parameter lists, as grid settings."""
    keys = list(param_lists)
    return [dict(model=model, writing=w, **dict(zip(keys, vals)))
            for w in writings for vals in itertools.product(*[param_lists[k] for k in keys])]


def train_on_folder(folder, labels=None, writings=("session", "words", "sentence"), age_adjust_options=(False, True),
                    n_estimators: int = 500, inner_splits: int = 5, seed: int = 0, models=("rf", "adaboost"),
                    ada_estimators: int = 100) -> tuple["DysgraphiaModel", dict]:
    """Choose the setting (model family, writing, age adjustment) by inner cross-validation on all
    children of ``folder``, as chapter 4 does, and train it on all of them.  Returns ``(model, info)``."""
    coh = dg.load_cohort(folder, labels)
    y = coh.y
    summ = {w: [summarize(select_writing(c.recording, w)) for c in coh.children] for w in writings}
    cov = {"age": np.array([c.age for c in coh.children])}
    table = FeatureTable(summ, cov, [c.child for c in coh.children])
    grid = []
    for kind in models:
        if kind not in ("rf", "adaboost"):
            raise ValueError(f"models must be 'rf' and/or 'adaboost', got {kind!r}")
        trees = n_estimators if kind == "rf" else ada_estimators
        grid += [dict(model=kind, writing=w, n_estimators=trees, age_adjusted=a)
                 for w in writings for a in age_adjust_options]
    setting, scores = select_setting(table, y, grid, inner_splits=inner_splits, seed=seed)
    model = DysgraphiaModel(setting, seed=seed).fit([c.recording for c in coh.children], y, ages=cov["age"])
    return model, {"report": coh.report(), "setting": setting,
                   "inner_accuracy": {f"{s['model']}, {s['writing']}, age_adjusted={s['age_adjusted']}": round(v, 4)
                                      for s, v in zip(grid, scores)}}
