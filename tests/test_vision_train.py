"""Tests of tremorlab.vision.train and baselines: layer-wise rates, the two phases, local weight files."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from tremorlab.vision import baselines, train


pytestmark = pytest.mark.usefixtures("torch_one_thread")


class Toy(nn.Module):
    """7 conv layers (each with a batch norm) and a classifier."""

    def __init__(self):
        super().__init__()
        layers, c = [], 3
        for _ in range(7):
            layers += [nn.Conv2d(c, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU()]
            c = 4
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.features(x).mean((2, 3)))

    def get_classifier(self):
        return self.head


def test_layerwise_learning_rates_by_hand():
    m = Toy()
    groups = train.layerwise_param_groups(m, base_lr=1e-3, decay=0.5, every=3)
    lrs = {g["name"]: g["lr"] for g in groups}
    assert lrs["classifier"] == 1e-3
    # conv k (0 = input side) has depth 6 - k from the top: depths 0-2 -> 1e-3 * 0.5, 3-5 -> * 0.25, 6 -> * 0.125
    expect = {0: 1.25e-4, 1: 2.5e-4, 2: 2.5e-4, 3: 2.5e-4, 4: 5e-4, 5: 5e-4, 6: 5e-4}
    for k, lr in expect.items():
        assert lrs[f"features.{3 * k}.weight"] == pytest.approx(lr)
    # each batch norm shares the group (and rate) of the convolution before it
    g0 = next(g for g in groups if g["name"] == "features.0.weight")
    assert {id(p) for p in g0["params"]} == {id(m.features[0].weight), id(m.features[0].bias),
                                             id(m.features[1].weight), id(m.features[1].bias)}
    assert sum(len(g["params"]) for g in groups) == len(list(m.parameters()))


def test_layerwise_groups_cover_real_models_once():
    m = baselines.create("etsdnet")
    groups = train.layerwise_param_groups(m)
    ids = [id(p) for g in groups for p in g["params"]]
    assert len(ids) == len(set(ids)) == len(list(m.parameters()))
    top = max(g["depth"] for g in groups)
    assert min(g["lr"] for g in groups) == pytest.approx(1e-3 * 0.5 ** (1 + top // 3))


def test_local_weight_file_loads_through_timm(tmp_path):
    torch.manual_seed(3)
    donor = baselines.create("mobilenetv2", num_classes=1000)
    f = tmp_path / "mobilenetv2_100.pth"
    torch.save(donor.state_dict(), f)
    m = baselines.create("mobilenetv2", num_classes=5, pretrained=True, weights_file=f)
    sd = m.state_dict()
    assert "classifier.weight" not in m.matched_ and len(m.matched_) == len(sd) - 2
    for k in m.matched_:
        torch.testing.assert_close(sd[k], donor.state_dict()[k])
    assert sd["classifier.weight"].shape == (5, 1280)
    e = baselines.create("etsdnet", pretrained=True, weights_file=f)
    assert len(e.matched_) == len(sd) - 2
    torch.testing.assert_close(e.state_dict()["blocks.3.1.conv_dw.weight"], donor.state_dict()["blocks.3.1.conv_dw.weight"])
    with pytest.raises(FileNotFoundError, match="no such file"):
        baselines.create("resnet50", weights_file=tmp_path / "missing.pth")
    with pytest.raises(ValueError, match="unknown model"):
        baselines.create("vgg16")


def _bars(n, rng, size=24):
    """Two classes that differ in the orientation of an ink bar: horizontal vs vertical."""
    x = np.full((n, size, size, 3), 230, np.uint8)
    y = rng.integers(0, 2, n)
    for i in range(n):
        a, b = rng.integers(2, size - 14, 2)
        if y[i] == 0:
            x[i, a:a + 3, b:b + 12] = (30, 40, 160)
        else:
            x[i, a:a + 12, b:b + 3] = (30, 40, 160)
    return x, y


def test_phase_one_trains_only_what_is_new(tmp_path):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    donor = baselines.create("mobilenetv2", num_classes=1000)
    f = tmp_path / "w.pth"
    torch.save(donor.state_dict(), f)
    m = baselines.create("etsdnet", num_classes=2, pretrained=True, weights_file=f)
    before = {k: v.clone() for k, v in m.state_dict().items()}
    xt, yt = _bars(16, rng, 32)
    xv, yv = _bars(8, rng, 32)
    res = train.two_phase_fit(m, xt, yt, xv, yv, phase1_epochs=1, phase2_epochs=0, batch_size=8, seed=0)
    after = m.state_dict()
    frozen = [k for k in m.matched_ if not k.startswith("classifier")]
    assert all(torch.equal(before[k], after[k]) for k in frozen)          # matched tensors (and BN statistics) untouched
    assert not torch.equal(before["classifier.weight"], after["classifier.weight"])
    assert not torch.equal(before["blocks.1.1.attn.fc2.weight"], after["blocks.1.1.attn.fc2.weight"])
    assert [h["phase"] for h in res.history] == [1]


def test_phase_two_learns_and_keeps_the_best_on_validation():
    torch.manual_seed(0)
    rng = np.random.default_rng(1)
    xt, yt = _bars(96, rng)
    xv, yv = _bars(40, rng)
    m = Toy()
    res = train.two_phase_fit(m, xt, yt, xv, yv, phase1_epochs=2, phase2_epochs=8, batch_size=16, base_lr=1e-2,
                              lr_decay=1.0, seed=0)
    assert [h["phase"] for h in res.history] == [2] * 8                   # nothing pretrained -> no phase 1
    best = max(h["val_accuracy"] for h in res.history)
    assert res.best_val_accuracy == best and res.best_epoch == 1 + [h["val_accuracy"] for h in res.history].index(best)
    assert np.mean(train.predict_logits(m, xv).argmax(1) == yv) == pytest.approx(best)  # the kept model is the best
    assert best >= 0.85
