"""Benchmarks of chapter 1: ETSD-Net latency beside MobileNetV2, phantom sheets beside reading real scans.

Targets (issue 3): ETSD-Net's batch-1 CPU latency at most 1.3x MobileNetV2's, measured in the same
run; phantom generation at least 20 images/s per core at training resolution (224 px).
Issue 15: ETSD-Net on EfficientNet-Lite0 at most 1.3x plain Lite0's latency, same run; training
throughput (images/s, batch 32 at 128 px, one thread) of both, recorded (no target).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tremorlab.synth import spirals as sp

LATENCY_RATIO_MAX = 1.3
SHEETS_PER_S_MIN = 20.0


@pytest.fixture(scope="module")
def models(torch_one_thread):
    import timm

    from tremorlab.vision.etsdnet import ETSDNet

    torch.manual_seed(0)
    return {"etsdnet": ETSDNet(5).eval(), "mobilenetv2": timm.create_model("mobilenetv2_100", num_classes=5).eval()}


@pytest.mark.parametrize("name", ["etsdnet", "mobilenetv2"])
def test_latency_batch1(benchmark, models, name):
    benchmark.group = "vision: batch-1 CPU latency at 224 px (1 thread)"
    x = torch.randn(1, 3, 224, 224)
    with torch.inference_mode():
        models[name](x)
        benchmark.pedantic(models[name], args=(x,), rounds=30, warmup_rounds=3)


def test_latency_ratio(benchmark, models):
    """Interleaved medians (tremorlab.vision.profile.latency_ms): ETSD-Net / MobileNetV2 <= 1.3."""
    from tremorlab.vision.profile import latency_ms

    benchmark.group = "vision: latency ratio"
    lat = benchmark.pedantic(latency_ms, args=(models,), kwargs={"repeats": 40, "threads": 1}, rounds=1)
    ratio = lat["etsdnet"]["median"] / lat["mobilenetv2"]["median"]
    benchmark.extra_info["etsdnet_over_mobilenetv2"] = ratio
    assert ratio <= LATENCY_RATIO_MAX, f"ETSD-Net takes {ratio:.2f}x MobileNetV2's time (target <= {LATENCY_RATIO_MAX})"


@pytest.fixture(scope="module")
def lite_models(torch_one_thread):
    from tremorlab.vision.baselines import create

    torch.manual_seed(0)
    return {"etsdnet_lite0": create("etsdnet_lite0", pretrained=True).eval(),
            "efficientnet_lite0": create("efficientnet_lite0", pretrained=True).eval()}


def test_latency_ratio_lite0(benchmark, lite_models):
    """Interleaved medians: ETSD-Net (Lite0) / EfficientNet-Lite0 <= 1.3 at batch 1, 224 px, one thread."""
    from tremorlab.vision.profile import latency_ms

    benchmark.group = "vision: latency ratio"
    lat = benchmark.pedantic(latency_ms, args=(lite_models,), kwargs={"repeats": 40, "threads": 1}, rounds=1)
    ratio = lat["etsdnet_lite0"]["median"] / lat["efficientnet_lite0"]["median"]
    benchmark.extra_info.update({k + "_ms": v["median"] for k, v in lat.items()})
    benchmark.extra_info["etsdnet_lite0_over_efficientnet_lite0"] = ratio
    assert ratio <= LATENCY_RATIO_MAX, f"ETSD-Net (Lite0) takes {ratio:.2f}x Lite0's time (target <= {LATENCY_RATIO_MAX})"


def test_train_throughput_lite0(benchmark, lite_models):
    """Training images/s (forward, backward, Adam step), batch 32 at 128 px, one thread, interleaved."""
    from tremorlab.vision.profile import train_throughput

    benchmark.group = "vision: training throughput (images/s)"
    rate = benchmark.pedantic(train_throughput, args=(lite_models,),
                              kwargs={"size": 128, "batch_size": 32, "steps": 5}, rounds=1)
    benchmark.extra_info.update({k + "_images_per_s": v for k, v in rate.items()})
    assert all(v > 0 for v in rate.values())


def _sheet(i=[0]):
    i[0] += 1
    rng = np.random.default_rng(i[0])
    tr = sp.draw_trace(sp.sample_params(rng.uniform(-0.4, 4.4), rng), rng=rng)
    return sp.render_sheet(tr, setting="scan" if i[0] % 5 else "photo", size=224, rng=rng)


def test_phantom_sheet_224(benchmark, torch_one_thread):
    benchmark.group = "vision: one 224-px spiral image"
    benchmark.pedantic(_sheet, rounds=60, warmup_rounds=2)
    rate = 1.0 / benchmark.stats.stats.median
    benchmark.extra_info["sheets_per_s"] = rate
    assert rate >= SHEETS_PER_S_MIN, f"{rate:.1f} sheets/s (target >= {SHEETS_PER_S_MIN})"


def test_read_real_scan_224(benchmark):
    """The peer: reading and resizing one real NewHandPD scan (what a real-data run does per image)."""
    import tremorlab as tl
    from tremorlab.vision.dataset import load_images

    benchmark.group = "vision: one 224-px spiral image"
    items = tl.io.list_newhandpd_spirals(tl.data.where("newhandpd_spiral_samples"))
    benchmark.pedantic(load_images, args=([items[0].path], 224), rounds=30, warmup_rounds=2)
