"""Tests of tremorlab.vision.pretrained: the pip package's EfficientNet-Lite0 weights through timm."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tremorlab.vision import pretrained as pt

pytestmark = pytest.mark.usefixtures("torch_one_thread")


@pytest.fixture(scope="module")
def package_sd():
    return torch.load(pt.lite0_weights_path(verify=True), map_location="cpu", weights_only=True)


@pytest.fixture(scope="module")
def imagenet_lite0():
    return pt.efficientnet_lite0(num_classes=1000, pretrained=True).eval()


def test_file_matches_its_record(package_sd):
    rec = pt.WEIGHTS["efficientnet_lite0"]
    assert pt.sha256_file(pt.lite0_weights_path(verify=False)) == rec["sha256"]
    assert len(package_sd) == rec["tensors"]
    assert sum(v.numel() for v in package_sd.values()) == rec["parameters"]
    assert "Apache" in rec["licence"]


def test_every_tensor_maps_onto_timm_with_equal_shapes(package_sd):
    import timm

    ref = timm.create_model("efficientnet_lite0", num_classes=1000).state_dict()
    conv = pt.convert_lite0_state_dict(package_sd)
    assert set(conv) == set(ref)                                  # every tensor mapped, none left over
    assert all(tuple(conv[k].shape) == tuple(ref[k].shape) for k in ref)
    # the rule-based names agree with the order of both state dicts (an independent check of the rules)
    assert [pt.convert_name(k) for k in package_sd] == list(ref)


def test_convert_name_rules_and_errors():
    assert pt.convert_name("_blocks.0._depthwise_conv.weight") == "blocks.0.0.conv_dw.weight"
    assert pt.convert_name("_blocks.0._project_conv.weight") == "blocks.0.0.conv_pw.weight"   # expansion 1
    assert pt.convert_name("_blocks.1._expand_conv.weight") == "blocks.1.0.conv_pw.weight"
    assert pt.convert_name("_blocks.15._bn2.running_var") == "blocks.6.0.bn3.running_var"
    assert pt.convert_name("_bn1.bias") == "bn2.bias" and pt.convert_name("_fc.weight") == "classifier.weight"
    with pytest.raises(ValueError, match="block 16"):
        pt.convert_name("_blocks.16._bn0.weight")
    with pytest.raises(ValueError, match="_se_reduce"):
        pt.convert_name("_blocks.3._se_reduce.weight")
    with pytest.raises(ValueError, match="no counterpart"):
        pt.convert_name("_head.weight")


def _equation_spiral(size=224, pitch=12.0, width=3.0):
    """A black Archimedean spiral r = pitch * theta / (2 pi) on white, from its equation."""
    yy, xx = np.mgrid[:size, :size] - size / 2
    r, th = np.hypot(xx, yy), np.arctan2(yy, xx)
    img = np.full((size, size, 3), 255, np.uint8)
    img[(np.mod(r - pitch * th / (2 * np.pi), pitch) < width) & (r < 0.45 * size)] = 0
    return img


def test_known_answer_imagenet_head_calls_a_spiral_a_coil_or_a_maze(imagenet_lite0):
    from tremorlab.vision.dataset import to_tensor

    maze, coil = 646, 506  # ImageNet-1k class indices
    with torch.no_grad():
        p = imagenet_lite0(to_tensor(_equation_spiral()[None])).softmax(1)[0]
    assert set(p.topk(2).indices.tolist()) == {maze, coil}
    assert float(p[maze] + p[coil]) > 0.5
    torch.manual_seed(0)
    random_net = pt.efficientnet_lite0(num_classes=1000, pretrained=False).eval()  # negative control
    with torch.no_grad():
        q = random_net(to_tensor(_equation_spiral()[None])).softmax(1)[0]
    assert float(q[maze] + q[coil]) < 0.05


def test_new_head_and_matched_names():
    from tremorlab.vision.baselines import create

    m = create("efficientnet_lite0", num_classes=5, pretrained=True)
    assert m.get_classifier().out_features == 5
    assert not any(k.startswith("classifier") for k in m.matched_)
    assert len(m.matched_) == 296 - 2
    sd = pt.lite0_state_dict()
    torch.testing.assert_close(m.state_dict()["blocks.3.1.conv_dw.weight"], sd["blocks.3.1.conv_dw.weight"])


def test_bad_weight_file_is_named(tmp_path):
    bad = tmp_path / "w.pth"
    torch.save({"_conv_stem.weight": torch.zeros(32, 3, 3, 3), "_oops.weight": torch.zeros(1)}, bad)
    with pytest.raises(ValueError, match="_oops.weight"):
        pt.lite0_state_dict(bad)
