"""Tests of tremorlab.vision.etsdnet: the attention module, the parameter budget, timm compatibility."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tremorlab.vision.etsdnet import ETSDNet, ChannelSpatialAttention, load_matched


pytestmark = pytest.mark.usefixtures("torch_one_thread")


def test_attention_shapes_identity_at_start_and_parameter_count():
    torch.manual_seed(0)
    att = ChannelSpatialAttention(64, reduction=16, kernel_size=7)
    x = torch.randn(3, 64, 9, 11)
    assert att.channel_gate(x).shape == (3, 64, 1, 1)
    assert att.spatial_gate(x).shape == (3, 1, 9, 11)
    torch.testing.assert_close(att(x), x)                 # gates start at exactly 1
    h = 64 // 16  # -> 8 (the minimum)
    h = max(h, 8)
    assert sum(p.numel() for p in att.parameters()) == (64 * h + h) + (h * 64 + 64) + 2 * 7 * 7


def test_attention_gates_follow_the_definition():
    torch.manual_seed(1)
    att = ChannelSpatialAttention(16, kernel_size=3)
    for p in att.parameters():
        torch.nn.init.normal_(p, 0, 0.3)
    x = torch.randn(2, 16, 5, 5)
    mlp = lambda v: att.fc2(torch.relu(att.fc1(v)))
    ac = 2 * torch.sigmoid(mlp(x.mean((2, 3))) + mlp(x.amax((2, 3))))
    x1 = x * ac[:, :, None, None]
    s = torch.cat([x1.mean(1, keepdim=True), x1.amax(1, keepdim=True)], 1)
    as_ = 2 * torch.sigmoid(torch.nn.functional.conv2d(s, att.spatial.weight, padding=1))
    torch.testing.assert_close(att(x), x1 * as_)


def test_etsdnet_budget_matches_the_paper():
    m = ETSDNet(num_classes=5)
    n = sum(p.numel() for p in m.parameters())
    assert abs(n / 2.26e6 - 1) < 0.03, n
    assert m(torch.zeros(2, 3, 224, 224)).shape == (2, 5)
    assert len(m.attention_modules()) == 7
    assert len(ETSDNet(attention="all").attention_modules()) == 17
    from tremorlab.vision.profile import macs

    g = macs(m) / 1e9
    assert abs(g / 0.33 - 1) < 0.10, g


def test_without_attention_it_is_timms_mobilenetv2():
    import timm

    ref = timm.create_model("mobilenetv2_100", num_classes=5).eval()
    m = ETSDNet(num_classes=5, attention=False).eval()
    m.load_state_dict(ref.state_dict())                  # strict: every name and shape agrees
    x = torch.randn(2, 3, 96, 96)
    torch.testing.assert_close(m(x), ref(x))
    full = ETSDNet(num_classes=5).eval()
    matched = load_matched(full, ref.state_dict())
    assert len(matched) == len(ref.state_dict())         # every MobileNetV2 tensor has a home
    assert not any(".attn." in k for k in matched)
    # identity attention: with MobileNetV2's weights, ETSD-Net computes MobileNetV2 at the start
    torch.testing.assert_close(full(x), ref(x), atol=1e-5, rtol=1e-5)


def test_mismatched_shapes_are_not_loaded():
    a, b = ETSDNet(num_classes=5), ETSDNet(num_classes=3)
    matched = load_matched(a, b.state_dict())
    assert "classifier.weight" not in matched and "conv_stem.weight" in matched
    np.testing.assert_array_equal(a.conv_stem.weight.detach().numpy(), b.conv_stem.weight.detach().numpy())
