"""Chapter 1's closing table on constructed results whose verdicts are known by hand."""

import numpy as np
import pytest

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
    assert row["verdict"] == "not reproduced" and "195 test images" in row["why"]


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
    assert iv["efficientnet_lite0"][1] > 0
    cov = sg.coverage_differences({"etsdnet_lite0": np.full(90, 0.5), "efficientnet_lite0": np.full(90, 0.7)},
                                  "etsdnet_lite0", ["efficientnet_lite0"], groups, n_boot=50)
    assert cov["efficientnet_lite0"] == pytest.approx((-0.2, -0.2, -0.2))
    assert sg.trained_baselines(["etsdnet_lite0", "efficientnet_lite0", "etsdnet_original"]) == \
        ("etsdnet_lite0", ["efficientnet_lite0"])
