"""Session lines as tasks, the nested child-level CV, child-level intervals, age adjustment, save / apply."""

import numpy as np
import pandas as pd
import pytest

from tremorlab.features import session_tasks as st
from tremorlab.features.handwriting import FEATURE_NAMES, Summary
from tremorlab.io import PenRecording
from tremorlab.learn import nested as ns


def _lines_recording(n_lines=8, accent_on=2):
    """Eight lines of short horizontal strokes, 18.5 mm apart, plus one late accent on line ``accent_on``."""
    t, x, y, down, truth = [], [], [], [], []
    clock = 0.0
    for li in range(n_lines):
        base = 200.0 - 18.5 * li
        for k in range(5):
            n = 40
            xs = 10 + 12 * k + np.linspace(0, 8, n)
            ys = base + 2.0 * np.sin(np.linspace(0, 6, n))
            t.append(clock + np.arange(n) / 125)
            x.append(xs), y.append(ys), down.append(np.ones(n, bool)), truth.append(np.full(n, li))
            clock += n / 125
            t.append(clock + np.arange(10) / 125)        # pen up towards the next stroke
            x.append(np.full(10, xs[-1])), y.append(np.full(10, ys[-1])), down.append(np.zeros(10, bool))
            nxt = li if k < 4 else li + 1
            truth.append(np.full(10, min(nxt, n_lines - 1) if li < n_lines - 1 or k < 4 else li))
            clock += 10 / 125
    n = 12                                                # the accent, written after the last line
    t.append(clock + np.arange(n) / 125)
    x.append(np.full(n, 30.0)), y.append(200.0 - 18.5 * accent_on + 6 + np.linspace(0, 1, n))
    down.append(np.ones(n, bool)), truth.append(np.full(n, accent_on))
    cat = np.concatenate
    rec = PenRecording(t=cat(t), x=cat(x), y=cat(y), pen_down=cat(down), pressure=cat(down) * 300.0,
                       azimuth=np.full(cat(t).size, 45.0), altitude=np.full(cat(t).size, 60.0), xy_unit="mm")
    return rec, cat(truth)


def test_lines_are_found_with_late_accents():
    rec, truth = _lines_recording()
    line, n = st.segment_lines(rec)
    assert n == 8
    d = rec.pen_down
    np.testing.assert_array_equal(line[d], truth[d])


def test_select_writing_keeps_the_named_lines_and_checks_the_count():
    rec, truth = _lines_recording()
    part = st.select_writing(rec, "sentence")
    assert part.pen_down.sum() == ((truth == 7) & rec.pen_down).sum() and part.meta["writing"] == "sentence"
    assert st.select_writing(rec, "session") is rec
    rec7, _ = _lines_recording(n_lines=7)
    with pytest.raises(ValueError, match="7 lines of writing found, expected 8"):
        st.select_writing(rec7, "words")
    with pytest.raises(ValueError, match="writing must be one of"):
        st.select_writing(rec, "paragraph")


def test_age_adjust_removes_an_exact_line_fitted_on_training_rows():
    age = np.array([8, 9, 10, 11, 12, 13.0])
    F = np.stack([2 + 3 * age, np.ones(6) * 5, 7 - age], 1)
    F[0, 1] = np.nan
    out = ns.age_adjust(F[:4], age[:4], F, age)
    np.testing.assert_allclose(out[:, 0], 0, atol=1e-9)
    np.testing.assert_allclose(out[:, 2], 0, atol=1e-9)
    assert np.isnan(out[0, 1]) and np.allclose(out[1:, 1], 0)


def test_child_metrics_known_confusion_and_intervals():
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    pred = np.array([1, 1, 1, 0, 0, 0, 0, 0, 1, 1])    # TP 3, FN 1, TN 4, FP 2
    m = ns.child_metrics(y, pred, n_boot=300)
    assert m["accuracy"]["value"] == 70.0 and m["sensitivity"]["value"] == 75.0
    assert m["specificity"]["value"] == pytest.approx(100 * 4 / 6, abs=0.01)
    assert m["f1"]["value"] == pytest.approx(100 * 6 / 9, abs=0.01)
    assert m["accuracy"]["low"] < 70 < m["accuracy"]["high"] and m["n"] == 10
    perfect = ns.child_metrics(y, y, n_boot=100)
    assert perfect["accuracy"] == {"value": 100.0, "low": 100.0, "high": 100.0}
    band = ns.child_metrics(y, pred, n_boot=50, rows=np.arange(10) < 4)
    assert band["n"] == 4 and band["accuracy"]["value"] == 75.0


def _table(n=40, seed=0):
    """Two 'writings': in 'good' feature 0 equals the label plus small noise, in 'noise' it is noise."""
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(n // 2, int), np.ones(n // 2, int)]

    def summ(v):
        vals = {k: float(rng.normal()) for k in FEATURE_NAMES}
        vals[FEATURE_NAMES[0]] = float(v)
        return Summary(source="<t>", values=vals, spectra={k: None for k in ("tremor", "speed", "pressure_change",
                                                                              "tilt_x_change", "tilt_y_change")},
                       freqs={})
    good = [summ(yi + 0.1 * rng.normal()) for yi in y]
    noise = [summ(rng.normal()) for _ in y]
    cov = {"age": rng.integers(8, 16, n), "sex": rng.integers(0, 2, n), "hand": rng.integers(0, 2, n)}
    return ns.FeatureTable({"good": good, "noise": noise}, cov, [f"{i:05d}" for i in range(n)]), y


def test_nested_cv_chooses_inside_and_scores_outside():
    table, y = _table()
    grid = ns.grid_product("rf", ["noise", "good"], n_estimators=[30])
    res = ns.nested_cv(table, y, grid, outer_splits=5, repeats=2, inner_splits=3,
                       subgrids={"noise only": lambda s: s["writing"] == "noise",
                                 "good only": lambda s: s["writing"] == "good"})
    assert res.proba.shape == (2, 40) and np.isfinite(res.proba).all()
    np.testing.assert_array_equal(res.sub["good only"].proba, res.proba)      # same choice, same fits
    assert ns.child_metrics(y, res.sub["noise only"].pred, n_boot=50)["accuracy"]["value"] < 80
    with pytest.raises(ValueError, match="accepts no setting"):
        ns.nested_cv(table, y, grid, outer_splits=5, subgrids={"none": lambda s: False})
    assert res.chosen_counts("writing") == {"good": 10}
    assert ns.child_metrics(y, res.pred, n_boot=50)["accuracy"]["value"] >= 90.0
    base = ns.nested_cv(table, y, [dict(model="logistic", inputs="age")], outer_splits=5)
    assert ns.child_metrics(y, base.pred, n_boot=50)["accuracy"]["value"] < 80


def test_unknown_model_is_named():
    with pytest.raises(ValueError, match="model kind"):
        ns.make_model("svm", 0)


def test_model_is_saved_and_applied_to_another_folder(tmp_path):
    from tremorlab.io import dysgraphia as dg
    from tremorlab.synth.handwriting import dysgraphia_cohort

    recs = dysgraphia_cohort(n_td=5, n_d=5, duration_s=30.0, rate_hz=125.0, seed=3)
    y = np.array([r.meta["label"] for r in recs])
    model = ns.DysgraphiaModel(dict(model="rf", writing="session", n_estimators=50)).fit(recs[:8], y[:8])
    path = model.save(tmp_path / "model.pkl")
    new = tmp_path / "new_children"
    rows = []
    for k, r in enumerate(recs[8:] + recs[:2]):
        cid = f"{900 + k:05d}"
        dg.write_session_svc(new / f"user{cid}" / "session00001" / f"u{cid}s00001_hw00001.svc", r)
        rows.append({"ID": cid, "diag": "DYSGR" if r.meta["label"] else 0, "sex": "M", "hand": "R", "age": 10})
    out = ns.apply_to_folder(path, new)                 # no sheet: every session is predicted
    assert list(out.index) == ["00900", "00901", "00902", "00903"]
    assert set(out["predicted"]) <= {0, 1} and out["p_dysgraphia"].between(0, 1).all()
    direct = model.predict_proba([dg.read_session_svc(p) for p in sorted(new.glob("user*/session*/*.svc"))])
    np.testing.assert_allclose(out["p_dysgraphia"], np.round(direct, 4))
    pd.DataFrame(rows).to_csv(new / "labels.csv", index=False)
    out2 = ns.apply_to_folder(path, new)
    assert out2["label"].tolist() == [int(r.meta["label"]) for r in recs[8:] + recs[:2]]
    (tmp_path / "bad.pkl").write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(ValueError, match="not a tremorlab-dysgraphia-model"):
        ns.DysgraphiaModel.load(tmp_path / "bad.pkl")


def test_cli_trains_on_one_folder_and_applies_to_another(tmp_path, capsys):
    from tremorlab import cli
    from tremorlab.io import dysgraphia as dg
    from tremorlab.synth.handwriting import dysgraphia_cohort

    recs = dysgraphia_cohort(n_td=6, n_d=6, duration_s=30.0, rate_hz=125.0, seed=7)

    def folder(path, items, diag=True):
        rows = []
        for cid, r in items:
            dg.write_session_svc(path / f"user{cid}" / "session00001" / f"u{cid}s00001_hw00001.svc", r)
            rows.append({"ID": cid, "diag": ("DYSGR" if r.meta["label"] else 0) if diag else "", "sex": "F",
                         "hand": "R", "age": 8 + int(r.meta["grade"])})
        pd.DataFrame(rows).to_csv(path / "labels.csv", index=False)
        return path

    train = folder(tmp_path / "train", [(f"{i + 1:05d}", r) for i, r in enumerate(recs[:4] + recs[6:10])])
    new = folder(tmp_path / "new", [(f"{i + 500:05d}", r) for i, r in enumerate(recs[4:6] + recs[10:])], diag=False)
    model = tmp_path / "m.pkl"
    assert cli.main(["dysgraphia", "train", "--data", str(train), "--out", str(model), "--writings", "session",
                     "--trees", "20", "--inner-splits", "2"]) == 0
    assert "8 children with a session and a label" in capsys.readouterr().out
    assert cli.main(["dysgraphia", "apply", str(model), str(new), "--csv", str(tmp_path / "out.csv")]) == 0
    out = pd.read_csv(tmp_path / "out.csv", dtype={"child": str}).set_index("child")
    assert list(out.index) == ["00500", "00501", "00502", "00503"] and "label" not in out
    # an age-adjusted model needs the ages: with a sheet it gets them, without one it says so
    m = ns.DysgraphiaModel(dict(model="rf", writing="session", n_estimators=20, age_adjusted=True))
    with pytest.raises(ValueError, match="pass the children's ages"):
        m.fit(recs[:4], [0, 0, 1, 1])
    m.fit(recs[:4] + recs[6:10], [r.meta["label"] for r in recs[:4] + recs[6:10]], ages=[9, 10, 11, 12, 9, 10, 11, 12])
    m.save(tmp_path / "adj.pkl")
    assert len(ns.apply_to_folder(tmp_path / "adj.pkl", new)) == 4
    (new / "labels.csv").unlink()
    with pytest.raises(ValueError, match="give every child's age"):
        ns.apply_to_folder(tmp_path / "adj.pkl", new)
    assert cli.main(["dysgraphia", "apply", str(tmp_path / "nope.pkl"), str(new)]) == 1
