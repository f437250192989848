"""Tests of tremorlab.vision.explain and profile: Grad-CAM and saliency against their definitions, counts by hand."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from tremorlab.vision import explain, profile
from tremorlab.vision.dataset import to_tensor


pytestmark = pytest.mark.usefixtures("torch_one_thread")


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)
        self.head = nn.Linear(6, 4)

    def forward(self, x):
        return self.head(torch.relu(self.conv(x)).mean((2, 3)))


def test_gradcam_equals_its_definition():
    torch.manual_seed(0)
    m = Tiny().eval()
    imgs = np.random.default_rng(0).integers(0, 256, (2, 12, 12, 3), dtype=np.uint8)
    cls = [1, 3]
    maps = explain.gradcam(m, imgs, cls, layer=m.conv)
    x = to_tensor(imgs)
    for i, c in enumerate(cls):
        a = m.conv(x[i:i + 1])
        a.retain_grad()
        m.head(torch.relu(a).mean((2, 3)))[0, c].backward()
        w = a.grad.mean((2, 3), keepdim=True)
        cam = torch.relu((w * a).sum(1))[0].detach().numpy()
        cam = (cam - cam.min()) / (cam.max() - cam.min() + 1e-7)   # the package's min-max scaling
        np.testing.assert_allclose(maps[i], cam, atol=1e-4)


def test_saliency_of_a_linear_model_is_its_weights():
    torch.manual_seed(1)
    lin = nn.Sequential(nn.Flatten(), nn.Linear(3 * 5 * 5, 2))
    imgs = np.random.default_rng(1).integers(0, 256, (1, 5, 5, 3), dtype=np.uint8)
    s = explain.saliency(lin, imgs, [1])[0]
    # d logit / d (normalised input) = w -> the map is max_c |w_c|, scaled to max 1
    w = lin[1].weight[1].detach().numpy().reshape(3, 5, 5)
    ref = np.abs(w).max(0)
    np.testing.assert_allclose(s, ref / ref.max(), rtol=1e-5)


def test_target_layers_of_every_model():
    from tremorlab.vision.baselines import create

    for name, layer in (("etsdnet", "conv_head"), ("mobilenetv2", "conv_head"), ("resnet50", "layer4"),
                        ("densenet121", "features"), ("convnext_tiny", "stages")):
        m = create(name)
        assert explain.target_layer(m) is not None and hasattr(m, layer)
    with pytest.raises(ValueError, match="no Grad-CAM target"):
        explain.target_layer(Tiny())


def test_counts_by_hand_and_latency_runs():
    conv = nn.Conv2d(3, 8, 3, padding=1, bias=False)
    assert profile.n_parameters(conv) == 8 * 3 * 9
    assert profile.macs(conv, size=32) == 8 * 3 * 9 * 32 * 32
    lat = profile.latency_ms({"a": conv, "b": nn.Identity()}, size=32, repeats=5, warmup=1)
    assert set(lat) == {"a", "b"} and lat["a"]["median"] > 0 and lat["b"]["runs"] == 5


def test_coverage_of_ink_by_a_map():
    maps = np.zeros((1, 4, 4), np.float32)
    maps[0, :2] = 1.0
    ink = np.zeros((1, 4, 4), bool)
    ink[0, :, 0] = True
    assert explain.coverage(maps, ink)[0] == pytest.approx(0.5)
