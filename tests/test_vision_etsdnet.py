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


# ---- ETSD-Net on EfficientNet-Lite0, and the attention's size against the paper's ----

def test_lite0_attention_placement_identity_start_and_parameter_delta():
    from tremorlab.vision.etsdnet import etsdnet_lite0
    from tremorlab.vision.pretrained import LITE0_STAGES, efficientnet_lite0

    torch.manual_seed(0)
    plain = efficientnet_lite0(num_classes=5, pretrained=True).eval()
    torch.manual_seed(0)
    etsd = etsdnet_lite0(num_classes=5, pretrained=True).eval()
    # one attention module per stage, on its last block, sized to that block's output channels
    where = [(i, j) for i, st in enumerate(etsd.blocks) for j, b in enumerate(st) if hasattr(b, "attn")]
    assert where == [(i, n - 1) for i, (_, _, n, _, _) in enumerate(LITE0_STAGES)]
    widths = [etsd.blocks[i][j].attn.fc1.in_features for i, j in where]
    assert widths == [c for _, c, _, _, _ in LITE0_STAGES]
    # parameter delta = sum over modules of 2Ch + h + C + 2k^2 (h = max(C // 16, 8), k = 7)
    n = lambda m: sum(p.numel() for p in m.parameters())
    expect = sum(2 * c * max(c // 16, 8) + max(c // 16, 8) + c + 2 * 49 for c in widths)
    assert n(etsd) - n(plain) == expect
    # identity at start: the same function as the plain pretrained network
    x = torch.randn(2, 3, 96, 96)
    with torch.no_grad():
        torch.testing.assert_close(etsd(x), plain(x))
    # and the attention sees the projected output (bn3), before the residual addition
    seen = {}
    blk = etsd.blocks[3][2]                    # a block with a shortcut
    blk.bn3.register_forward_hook(lambda m, i, o: seen.__setitem__("bn3", o))
    blk.attn.register_forward_hook(lambda m, i, o: seen.__setitem__("attn_in", i[0]))
    with torch.no_grad():
        nn_init = torch.nn.init
        nn_init.normal_(blk.attn.fc2.weight, std=0.5)
        y = etsd(x)
    assert seen["attn_in"] is seen["bn3"]
    assert not torch.allclose(y, plain(x))
    # only attention tensors and the head are new: phase 1 freezes everything else
    new = {k for k in etsd.state_dict() if k not in set(etsd.matched_)}
    assert all(".attn." in k or k.startswith("classifier.") for k in new)


def test_lite0_all_blocks():
    from tremorlab.vision.etsdnet import etsdnet_lite0

    m = etsdnet_lite0(attention="all")
    assert sum(hasattr(b, "attn") for st in m.blocks for b in st) == 16
    with pytest.raises(ValueError):
        etsdnet_lite0(attention="some")


@pytest.mark.parametrize("placement,position", [("stage", "output"), ("all", "output"), ("stage", "expanded"),
                                                ("all", "expanded")])
def test_attention_delta_formula_equals_built_models(placement, position):
    """The shape formula against parameter counts and fvcore MACs of the built networks."""
    from tremorlab.vision.etsdnet import attention_delta
    from tremorlab.vision.profile import macs, n_parameters

    base = ETSDNet(attention=False)
    m = ETSDNet(attention=placement, position=position)
    dp, dm = attention_delta(placement, position)
    assert n_parameters(m) - n_parameters(base) == dp
    assert macs(m) - macs(base) == dm


def test_expanded_position_is_identity_at_start_and_runs():
    torch.manual_seed(0)
    a, b = ETSDNet(attention=False).eval(), ETSDNet(attention="all", position="expanded").eval()
    load_matched(b, a.state_dict())
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(a(x), b(x))


def test_no_cbam_configuration_matches_both_paper_deltas():
    """The paper's +0.06 M / +0.03 G: parameters alone can be matched, MACs and parameters together cannot."""
    from tremorlab.vision.etsdnet import paper_attention_search

    df = paper_attention_search()
    assert len(df) == 2 * 2 * 2 * 6 * 4
    assert df.params_ok.any() and df.macs_ok.any()
    assert not df.both_ok.any()
    pooled = df[df.spatial_input == "pooled"]
    assert pooled.d_GMACs.max() < 0.03 * 0.85    # CBAM's 2-channel spatial map never reaches the MAC delta
