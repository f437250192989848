"""Chapter 1's closing table on constructed results whose verdicts are known by hand."""

import numpy as np
import pytest

from tremorlab.learn.metrics import SeedInterval
from tremorlab.studies import Cited
from tremorlab.studies import spiral_grading as sg

NAMES = {"etsdnet": "ETSD-Net", "mobilenetv2": "MobileNet-V2", "etsdnet_lite0": "ETSD-Net (Lite0)",
         "efficientnet_lite0": "EfficientNet-Lite0", "resnet50": "ResNet50", "densenet121": "DenseNet",
         "convnext_tiny": "ConvNeXt-Tiny"}


def rows(**kw):
    return {r["quantity"]: r for r in sg.comparisons(names=NAMES, preset="quick", **kw)}


def test_paper_numbers_are_cited_with_their_table():
    assert all(isinstance(v, Cited) for v in sg.PAPER.values())
    assert sg.PAPER["table4.accuracy.etsdnet"].value == 88.44
    assert sg.PAPER["table5.latency_sd.etsdnet"].value == 10.56
    assert sg.PAPER["attention.params"].value == pytest.approx(0.06)
    assert sg.PAPER["attention.gmacs"].value == pytest.approx(0.03)
    assert sg.TABLE5["mobilenetv2"] == (0.30, 2.20, 7.21, 0.93)


def test_attention_cost_is_the_difference_with_the_backbone():
    size = {"etsdnet": {"params_M": 2.25, "gmacs": 0.315}, "mobilenetv2": {"params_M": 2.23, "gmacs": 0.313}}
    cost = sg.attention_cost(size)
    assert set(cost) == {"mobilenetv2"}
    assert cost["mobilenetv2"]["params_M"] == pytest.approx(0.02)


@pytest.mark.parametrize("d_params, d_gmacs, words", [
    (0.021, 0.0017, ("not reproduced", "not reproduced")),   # ours today: a small CBAM
    (0.058, 0.031, ("reproduced", "reproduced")),            # within the rounding of Table 5
    (0.06, 0.045, ("reproduced", "not reproduced")),         # 0.015 G off: beyond +-0.01
])
def test_attention_cost_rows_use_the_rounding_tolerance(d_params, d_gmacs, words):
    r = rows(cost={"mobilenetv2": {"params_M": d_params, "gmacs": d_gmacs}})
    assert r["attention parameters (ETSD-Net minus MobileNet-V2)"]["verdict"] == words[0]
    assert r["attention MACs (ETSD-Net minus MobileNet-V2)"]["verdict"] == words[1]
    assert "0.01" in r["attention MACs (ETSD-Net minus MobileNet-V2)"]["why"]


def test_a_plain_mobilenet_does_not_pass_as_the_attention():
    # a network with no attention: delta 0, which the totals' 3 % would have let through
    r = rows(cost={"mobilenetv2": {"params_M": 0.0, "gmacs": 0.0}})
    assert r["attention parameters (ETSD-Net minus MobileNet-V2)"]["verdict"] == "not reproduced"


def test_ranking_tie_reproduced_and_refuted():
    tie = rows(ranking={"efficientnet_lite0": (-1.5, -7.9, 5.4)}, n_seeds=2)
    assert tie["ranking: ETSD-Net above every baseline, accuracy"]["verdict"] == "tie"
    # above the one baseline trained: the claim over four is not tested
    one = rows(ranking={"efficientnet_lite0": (6.0, 2.0, 10.0)})
    assert one["ranking: ETSD-Net above every baseline, accuracy"]["verdict"] == "not comparable"
    four = {k: (6.0, 2.0, 10.0) for k in ("resnet50", "densenet121", "convnext_tiny", "mobilenetv2")}
    assert rows(ranking=four)["ranking: ETSD-Net above every baseline, accuracy"]["verdict"] == "reproduced"
    below = dict(four, densenet121=(-6.0, -10.0, -2.0))
    assert rows(ranking=below)["ranking: ETSD-Net above every baseline, accuracy"]["verdict"] == "not reproduced"


def test_gradcam_row():
    r = rows(coverage_diff={"efficientnet_lite0": (-0.13, -0.2, -0.05)}, n_coverage=195)
    row = r["Grad-CAM: ETSD-Net's attention the most global (ink coverage)"]
    assert row["verdict"] == "not reproduced" and "195 in this run" in row["why"]


def test_latency_rows_carry_the_sd_and_the_ratio_rule():
    lat = {"mobilenetv2": {"median": 31.9, "sd": 2.0}, "etsdnet": {"median": 37.7, "sd": 3.0}}
    r = rows(latency=lat, latency_ratio=1.18)
    assert r["Table 5 latency s.d., ETSD-Net"]["paper"] == 10.56
    assert r["Table 5 latency s.d., ETSD-Net"]["ours"] == 3.0
    assert r["Table 5 latency s.d., ETSD-Net"]["verdict"] == "not comparable"
    assert r["latency ETSD-Net / MobileNet-V2"]["verdict"] == "not reproduced"
    assert rows(latency_ratio=2.7)["latency ETSD-Net / MobileNet-V2"]["verdict"] == "reproduced"


def test_baseline_sizes_and_dataset():
    size = {"mobilenetv2": {"params_M": 2.23, "gmacs": 0.313}, "resnet50": {"params_M": 25.0, "gmacs": 4.109}}
    r = rows(size=size, cohort={"images": 997, "patients": 315, "scans": 796, "photos": 201}, n_run_images=997)
    assert r["Table 5 params, MobileNet-V2"]["verdict"] == "reproduced"
    assert r["Table 5 params, ResNet50"]["verdict"] == "not reproduced"   # 6 % over
    assert r["Table 5 FLOPs, ResNet50"]["verdict"] == "reproduced"
    d = r["dataset: images / patients / scans / photos"]
    assert d["verdict"] == "by construction" and d["ours"] == "997 / 315 / 796 / 201"


def test_attention_gain_and_table4_rows():
    rep = {"etsdnet_lite0": {m: (50.0, 40.0, 60.0) for m in sg.METRICS}}
    r = rows(reports=rep, attention_gain=(3.0, 1.0, 5.0), pair=("etsdnet_lite0", "efficientnet_lite0"), n_seeds=2)
    assert r["attention gain: ETSD-Net minus its backbone, accuracy"]["verdict"] == "reproduced"
    assert r["Table 4 accuracy, ETSD-Net"]["ours"] == 50.0
    assert r["Table 4 accuracy, ETSD-Net"]["verdict"] == "not comparable"
    assert r["Table 4 accuracy, ResNet50"]["ours"] is None


def test_ranking_and_coverage_intervals_resample_patients():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(30), 3)
    better = rng.random((90, 2)) < 0.9
    worse = rng.random((90, 2)) < 0.3
    iv = sg.ranking_intervals({"etsdnet_lite0": better, "efficientnet_lite0": worse}, "etsdnet_lite0",
                              ["efficientnet_lite0"], groups, n_boot=200)
    assert iv["efficientnet_lite0"].low > 0 and len(iv["efficientnet_lite0"].per_seed) == 2
    cov = sg.coverage_differences({"etsdnet_lite0": np.full(90, 0.5), "efficientnet_lite0": np.full(90, 0.7)},
                                  "etsdnet_lite0", ["efficientnet_lite0"], groups, n_boot=50)
    assert tuple(cov["efficientnet_lite0"]) == pytest.approx((-0.2, -0.2, -0.2))
    assert sg.trained_baselines(["etsdnet_lite0", "efficientnet_lite0", "etsdnet_original"]) == \
        ("etsdnet_lite0", ["efficientnet_lite0"])


# ------------------------------------------------------------------------------------------------
# seed-inclusive intervals and the recorded distribution (issue #24)
# ------------------------------------------------------------------------------------------------

def test_weighted_scores_match_scikit_learn():
    from sklearn.metrics import f1_score, precision_score, recall_score

    rng = np.random.default_rng(1)
    y, p = rng.integers(0, 5, 200), rng.integers(0, 4, 200)   # grade 4 never predicted: precision 0
    w = sg.weighted_scores(y, p)
    kw = dict(average="weighted", labels=[0, 1, 2, 3, 4], zero_division=0)
    assert w["precision"] == pytest.approx(precision_score(y, p, **kw))
    assert w["recall"] == pytest.approx(recall_score(y, p, **kw)) == pytest.approx(w["accuracy"])
    assert w["f1"] == pytest.approx(f1_score(y, p, **kw))
    assert sg.weighted_scores([0, 1, 2], [0, 1, 2]) == {"accuracy": 1.0, "precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_seed_report_is_the_mean_over_seeds_with_each_seed_kept():
    y = np.array([0, 1, 2, 3] * 10)
    pred = np.stack([y, np.where(np.arange(40) < 20, y, 0)], axis=1)   # seed 0 perfect, seed 1 half right-ish
    rep = sg.seed_report(y, pred, np.repeat(np.arange(20), 2), n_boot=50)
    acc1 = 100 * np.mean(pred[:, 1] == y)
    assert rep["accuracy"].per_seed == pytest.approx((100.0, acc1))
    assert rep["accuracy"].estimate == pytest.approx((100 + acc1) / 2)
    assert rep["accuracy"].low <= rep["accuracy"].estimate <= rep["accuracy"].high


def test_accuracy_difference_pairs_seeds_and_takes_a_shared_baseline():
    a = np.zeros((20, 2), bool)
    a[:, 0] = True                      # seed 0: 100 %, seed 1: 0 %
    b = np.full((20, 2), True)
    b[:10] = False                      # 50 % for both seeds
    d = sg.accuracy_difference(a, b, np.arange(20), n_boot=50)
    assert d.per_seed == pytest.approx((50.0, -50.0)) and d.estimate == pytest.approx(0.0)
    vs = sg.accuracy_difference(a, np.zeros(20, bool), np.arange(20), n_boot=50)   # 1-D: same for every seed
    assert vs.per_seed == pytest.approx((100.0, 0.0))


def test_auc_and_mean_over_seeds():
    y = np.array([0, 0, 1, 1] * 5, bool)
    s = np.stack([y.astype(float), 1.0 - y], axis=1)   # seed 0 perfect, seed 1 inverted
    auc = sg.auc_over_seeds(y, s, np.arange(20), n_boot=30)
    assert auc.per_seed == pytest.approx((1.0, 0.0)) and auc.estimate == pytest.approx(0.5)
    m = sg.mean_over_seeds(np.stack([np.ones(6), 3 * np.ones(6)], axis=1), np.arange(6), n_boot=20)
    assert tuple(m) == pytest.approx((2.0, 1.0, 3.0)) and m.per_seed == pytest.approx((1.0, 3.0))


def test_a_sign_that_changes_between_seeds_is_a_tie_in_every_difference_row():
    flip = SeedInterval(0.05, 0.01, 0.09, (0.12, -0.02))    # interval clear of 0, seeds disagree
    same = SeedInterval(-0.13, -0.2, -0.05, (-0.12, -0.14))
    pair = ("etsdnet_lite0", "efficientnet_lite0")
    g = "Grad-CAM: ETSD-Net's attention the most global (ink coverage)"
    assert rows(coverage_diff={"efficientnet_lite0": flip})[g]["verdict"] == "tie"
    assert rows(coverage_diff={"efficientnet_lite0": same})[g]["verdict"] == "not reproduced"
    a = "attention gain: ETSD-Net minus its backbone, accuracy"
    assert rows(attention_gain=SeedInterval(3.0, 1.0, 5.0, (6.0, -1.0)), pair=pair)[a]["verdict"] == "tie"
    assert rows(attention_gain=SeedInterval(3.0, 1.0, 5.0, (2.0, 4.0)), pair=pair)[a]["verdict"] == "reproduced"
    r = "ranking: ETSD-Net above every baseline, accuracy"
    assert rows(ranking={"efficientnet_lite0": SeedInterval(-6.0, -10.0, -2.0, (-4.0, 1.0))})[r]["verdict"] == "tie"


def _metrics(acc_e, acc_l, gain_seeds, cov_seeds):
    return {"n_seeds": 2,
            "test": {"etsdnet_lite0": {m: [float(np.mean(acc_e)), 0.0, 100.0] for m in sg.METRICS},
                     "efficientnet_lite0": {m: [float(np.mean(acc_l)), 0.0, 100.0] for m in sg.METRICS}},
            "test_per_seed": {"etsdnet_lite0": {m: list(acc_e) for m in sg.METRICS},
                              "efficientnet_lite0": {m: list(acc_l) for m in sg.METRICS}},
            "attention_gain_pp": [float(np.mean(gain_seeds)), -1.0, 1.0], "attention_gain_pp_per_seed": list(gain_seeds),
            "ranking_pp": {"efficientnet_lite0": [float(np.mean(gain_seeds)), -1.0, 1.0]},
            "ranking_pp_per_seed": {"efficientnet_lite0": list(gain_seeds)},
            "gradcam_coverage_diff": {"efficientnet_lite0": [float(np.mean(cov_seeds)), -1.0, 1.0]},
            "gradcam_coverage_diff_per_seed": {"efficientnet_lite0": list(cov_seeds)},
            "auc": {"etsdnet_lite0": {"0": 0.9, "4": 0.8}},
            "auc_per_seed": {"etsdnet_lite0": {"0": [0.85, 0.95], "4": [0.8, 0.8]}},
            "pd_cv_kaggle": {"accuracy": [70.0, 60.0, 80.0], "auc": [0.8, 0.7, 0.9]},
            "majority_accuracy": 30.0}


def test_draw_quantities_and_their_summary_over_draws():
    q = sg.draw_quantities(_metrics((50.0, 60.0), (55.0, 65.0), (-5.0, -5.0), (0.1, -0.1)))
    assert q["accuracy.etsdnet_lite0"] == {"estimate": 55.0, "per_seed": [50.0, 60.0], "low": 0.0, "high": 100.0}
    assert q["gradcam_coverage_diff.efficientnet_lite0"]["per_seed"] == [0.1, -0.1]
    assert q["auc.etsdnet_lite0.0"] == {"estimate": 0.9, "per_seed": [0.85, 0.95]}
    assert q["pd_cv_kaggle.accuracy"] == {"estimate": 70.0, "per_seed": [70.0], "low": 60.0, "high": 80.0}  # one seed
    draws = [{"x": {"estimate": v, "per_seed": [v, v + 1]}} for v in (1.0, 2.0, 3.0)]
    s = sg.summarise_draws(draws)["x"]
    # mean 2, s.d. 1, t(0.975, 2) = 4.303: half-width 4.303 / sqrt(3) = 2.484
    assert s["mean"] == 2.0 and s["sd"] == pytest.approx(1.0) and (s["min"], s["max"]) == (1.0, 3.0)
    assert (s["low"], s["high"]) == pytest.approx((2.0 - 2.4842, 2.0 + 2.4842), abs=1e-3)
    assert s["per_seed"] == [1.0, 2.0, 2.0, 3.0, 3.0, 4.0] and s["n_draws"] == 3
    # one draw: no spread between draws, so its own interval (where it has one)
    one = sg.summarise_draws([{"x": {"estimate": 2.0, "per_seed": [1.0, 3.0], "low": -1.0, "high": 5.0},
                               "y": {"estimate": 2.0, "per_seed": [2.0]}}])
    assert (one["x"]["low"], one["x"]["high"]) == (-1.0, 5.0) and one["x"]["sd"] == 0.0
    assert (one["y"]["low"], one["y"]["high"]) == (2.0, 2.0)


def test_the_record_round_trips_and_decides_the_trained_rows(tmp_path):
    runs = {"seed 0": {"metrics": _metrics((50.0, 66.0), (59.0, 60.0), (-8.7, 5.6), (0.12, 0.11)), "seed": 0},
            "seed 100": {"metrics": _metrics((68.0, 63.0), (60.0, 61.0), (8.0, 2.0), (-0.15, -0.14)), "seed": 100}}
    sg.write_seed_record(tmp_path, runs, {"command": "test", "commit": "abc"})
    rec = sg.load_seed_record(tmp_path)
    assert rec["seeds"] == [0, 100] and rec["n_training_seeds"] == 4 and rec["provenance"]["commit"] == "abc"
    assert rec["summary"]["attention_gain_pp"]["per_seed"] == [-8.7, 5.6, 8.0, 2.0]
    pair = ("etsdnet_lite0", "efficientnet_lite0")
    quick = {"etsdnet_lite0": {m: (10.0, 0.0, 20.0) for m in sg.METRICS}}
    r = rows(record=rec, reports=quick, pair=pair, attention_gain=(50.0, 40.0, 60.0),
             coverage_diff={"efficientnet_lite0": (0.5, 0.4, 0.6)}, aucs={"0": 0.1})
    # the record, not this run: Table 4 is the mean over the recorded draws
    assert r["Table 4 accuracy, ETSD-Net"]["ours"] == pytest.approx((58.0 + 65.5) / 2)
    assert r["attention gain: ETSD-Net minus its backbone, accuracy"]["verdict"] == "tie"   # seeds disagree
    g = r["Grad-CAM: ETSD-Net's attention the most global (ink coverage)"]
    assert g["verdict"] == "tie" and "2 draws" in g["why"]
    # the rule names what the record's interval resamples: the draws, not this run's patients
    gain = r["attention gain: ETSD-Net minus its backbone, accuracy"]["why"]
    assert "over 2 recorded draws (Student-t over the draws)" in gain and "test patients and training seeds" not in gain
    assert r["per-class AUC range, ETSD-Net"]["ours"] == "0.80-0.90"
    with pytest.raises(FileNotFoundError, match="draws.json"):
        sg.load_seed_record(tmp_path / "absent")


def test_record_from_run_folders_keeps_the_provenance(tmp_path):
    import json

    run = tmp_path / "seed-100-portable"
    run.mkdir()
    (run / "metrics.json").write_text(json.dumps({"chapter": sg.CHAPTER, "preset": "quick",
                                                  "metrics": _metrics((50.0, 60.0), (55.0, 65.0), (1.0, 2.0), (0.1, 0.2))}))
    (run / "provenance.json").write_text(json.dumps({"parameters": {"seed": 100}, "wall_time_s": 300.0,
                                                     "kernel_choice": {"ATEN_CPU_CAPABILITY": "default"},
                                                     "git": {"commit": "abc", "dirty": True}}))
    ref = tmp_path / "reference.json"
    ref.write_text(json.dumps({"chapter": sg.CHAPTER, "preset": "quick",
                               "metrics": _metrics((40.0, 50.0), (45.0, 55.0), (-1.0, 2.0), (0.1, -0.2))}))
    sg.record_from_runs(tmp_path / "rec", {"reference": ref, "seed 100": run}, command="tremorlab repro measure 01")
    rec = sg.load_seed_record(tmp_path / "rec")
    assert rec["seeds"] == [0, 100] and rec["provenance"]["commit"] == "abc (dirty)"
    assert rec["draws"][1]["kernels"] == "ATEN_CPU_CAPABILITY=default" and rec["draws"][1]["wall_time_s"] == 300.0
    assert rec["summary"]["accuracy.etsdnet_lite0"]["draws"] == [45.0, 55.0]
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"chapter": "03-phtnet", "preset": "quick", "metrics": {}}))
    with pytest.raises(ValueError, match="03-phtnet"):
        sg.record_from_runs(tmp_path / "rec2", {"x": other}, command="")
