"""ETSD-Net: MobileNetV2 with a channel-spatial attention module in its inverted residual blocks.

Peng et al. (2025, Methods, "Model evaluation") describe ETSD-Net as MobileNetV2 (Sandler et
al. 2018): a convolution block (conv, batch norm, ReLU), a stack of inverted residual blocks
with a channel-spatial attention mechanism inside them, a second convolution block with
average pooling, and one fully connected layer.  The paper gives no further detail of the
attention; we use the CBAM form (Woo et al. 2018), applied to each block's projected output
before the residual addition:

.. math::
    \\mathbf{a}_c = g\\big(W_2\\,\\delta(W_1\\,\\mathrm{avg}(X)) + W_2\\,\\delta(W_1\\,\\max(X))\\big),
    \\qquad X' = \\mathbf{a}_c \\odot X,

.. math::
    \\mathbf{a}_s = g\\big(k_{7\\times 7} * [\\mathrm{mean}_c(X');\\ \\max_c(X')]\\big),
    \\qquad Y = \\mathbf{a}_s \\odot X',

with :math:`\\delta` = ReLU, :math:`W_1 \\in \\mathbb{R}^{C/r \\times C}` (``reduction``
:math:`r = 16`, at least 8 hidden units), and the gate :math:`g(u) = 2\\sigma(u)`.  The last
layers of both branches start at zero, so :math:`g = 1` and the module is the identity when
training begins: the pretrained MobileNetV2 features are untouched until the attention learns
(our choice; plain CBAM uses :math:`\\sigma` and would halve every block's output at start).

Parameter and module names follow timm's ``mobilenetv2_100`` (``conv_stem``, ``bn1``,
``blocks.i.j.conv_pw`` ...), so that its ImageNet weights load by name
(:func:`load_matched`); only ``attn`` modules and the classifier are new.  With 5 classes at
224x224 the model has 2.26 M parameters (MobileNetV2: 2.23 M).
"""

from __future__ import annotations

import torch
from torch import nn

from tremorlab.vision.pretrained import efficientnet_lite0, timm_model

#: MobileNetV2 stages: (expansion t, output channels c, repeats n, first stride s).
MOBILENETV2_STAGES = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                      (6, 160, 3, 2), (6, 320, 1, 1))


class ChannelSpatialAttention(nn.Module):
    """CBAM-style channel then spatial attention with identity initialisation (see module doc).

    Parameters
    ----------
    channels : int
    reduction : int
        Channel reduction ratio :math:`r` of the shared MLP.
    kernel_size : int
        Side of the spatial attention convolution.
    min_hidden : int
        Lower bound of :math:`C / r`.
    """

    def __init__(self, channels: int, reduction: int = 16, kernel_size: int = 7, min_hidden: int = 8):
        super().__init__()
        hidden = max(channels // reduction, min_hidden)
        self.fc1 = nn.Linear(channels, hidden)
        self.fc2 = nn.Linear(hidden, channels)
        self.spatial = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2, bias=False)
        nn.init.zeros_(self.fc2.weight)
        nn.init.zeros_(self.fc2.bias)
        nn.init.zeros_(self.spatial.weight)

    def channel_gate(self, x: torch.Tensor) -> torch.Tensor:
        """:math:`2\\sigma(W_2\\delta(W_1 \\mathrm{avg}) + W_2\\delta(W_1 \\max))`, shape (B, C, 1, 1).

        Both pooled vectors go through the shared MLP in one batched call (a ``Linear`` on
        the stacked (2B, C) matrix: on the CPU, 1x1 convolutions of 1x1 maps cost ~10x more).
        """
        b = x.shape[0]
        pooled = torch.cat([x.mean(dim=(2, 3)), x.amax(dim=(2, 3))], dim=0)
        u = self.fc2(torch.relu(self.fc1(pooled)))
        return (2 * torch.sigmoid(u[:b] + u[b:]))[:, :, None, None]

    def spatial_gate(self, x: torch.Tensor) -> torch.Tensor:
        s = torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)
        return 2 * torch.sigmoid(self.spatial(s))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x * self.channel_gate(x)
        return x * self.spatial_gate(x)


class InvertedResidual(nn.Module):
    """MobileNetV2 block: 1x1 expand, 3x3 depthwise, 1x1 linear projection, attention, shortcut.

    With expansion 1 the block is timm's ``DepthwiseSeparableConv`` (``conv_dw``, ``bn1``,
    ``conv_pw``, ``bn2``); otherwise ``conv_pw``, ``bn1``, ``conv_dw``, ``bn2``, ``conv_pwl``,
    ``bn3`` -- the same names as timm so that pretrained weights match.
    """

    def __init__(self, c_in: int, c_out: int, stride: int, expansion: int, attention: bool = True,
                 reduction: int = 16, kernel_size: int = 7, position: str = "output"):
        super().__init__()
        if position not in ("output", "expanded"):
            raise ValueError(f"position must be 'output' or 'expanded', got {position!r}")
        self.expansion = expansion
        self.position = position
        hidden = c_in * expansion
        if expansion == 1:
            self.conv_dw = nn.Conv2d(c_in, c_in, 3, stride, 1, groups=c_in, bias=False)
            self.bn1 = nn.BatchNorm2d(c_in)
            self.conv_pw = nn.Conv2d(c_in, c_out, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(c_out)
        else:
            self.conv_pw = nn.Conv2d(c_in, hidden, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(hidden)
            self.conv_dw = nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False)
            self.bn2 = nn.BatchNorm2d(hidden)
            self.conv_pwl = nn.Conv2d(hidden, c_out, 1, bias=False)
            self.bn3 = nn.BatchNorm2d(c_out)
        width = c_out if position == "output" else hidden
        self.attn = ChannelSpatialAttention(width, reduction, kernel_size) if attention else nn.Identity()
        self.has_shortcut = stride == 1 and c_in == c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        act = nn.functional.relu6
        inner = self.attn if self.position == "expanded" else (lambda z: z)
        if self.expansion == 1:
            y = self.bn2(self.conv_pw(inner(act(self.bn1(self.conv_dw(x))))))
        else:
            y = act(self.bn1(self.conv_pw(x)))
            y = inner(act(self.bn2(self.conv_dw(y))))
            y = self.bn3(self.conv_pwl(y))
        if self.position == "output":
            y = self.attn(y)
        return x + y if self.has_shortcut else y


class ETSDNet(nn.Module):
    """ETSD-Net (see the module docstring).

    Parameters
    ----------
    num_classes : int
        Output classes (5 CRST grades).
    attention : {"stage", "all", False}
        Where the attention sits: ``"stage"`` (default) in the last inverted residual block of
        each of the 7 stages, ``"all"`` in all 17 blocks, ``False`` nowhere (plain MobileNetV2,
        the same tensor names as timm's ``mobilenetv2_100``).  On a CPU at batch 1 the cost of
        the attention is mostly the number of small tensor operations, not their arithmetic:
        ``"all"`` measured about 1.4x MobileNetV2's latency, ``"stage"`` stays within the
        1.3x the project targets (see ``bench/bench_vision.py``).
    reduction : int
        Channel reduction of the attention MLP.
    position : {"output", "expanded"}
        ``"output"`` (default): on the block's projected output before the residual addition;
        ``"expanded"``: on the expanded channels after the depthwise convolution (where
        MobileNetV3 puts squeeze-excitation).  Used by :func:`attention_delta`'s checks.
    drop_rate : float
        Dropout before the classifier (timm's MobileNetV2 default is 0).
    """

    def __init__(self, num_classes: int = 5, attention: bool | str = "stage", reduction: int = 16,
                 kernel_size: int = 7, drop_rate: float = 0.0, position: str = "output"):
        super().__init__()
        self.num_classes = num_classes
        self.conv_stem = nn.Conv2d(3, 32, 3, 2, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        stages, c_in = [], 32
        for t, c, n, s in MOBILENETV2_STAGES:
            blocks = []
            for i in range(n):
                here = attention == "all" or (attention == "stage" and i == n - 1) or attention is True
                blocks.append(InvertedResidual(c_in, c, s if i == 0 else 1, t, bool(here), reduction, kernel_size,
                                               position))
                c_in = c
            stages.append(nn.Sequential(*blocks))
        self.blocks = nn.Sequential(*stages)
        self.conv_head = nn.Conv2d(c_in, 1280, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(1280)
        self.drop = nn.Dropout(drop_rate)
        self.classifier = nn.Linear(1280, num_classes)
        self.num_features = 1280
        for name, m in self.named_modules():  # MobileNetV2 initialisation; attention keeps its zeros
            if ".attn" in name or name.startswith("attn"):
                continue
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        x = nn.functional.relu6(self.bn1(self.conv_stem(x)))
        x = self.blocks(x)
        return nn.functional.relu6(self.bn2(self.conv_head(x)))

    def forward_head(self, x: torch.Tensor, pre_logits: bool = False) -> torch.Tensor:
        x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
        return x if pre_logits else self.classifier(self.drop(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))

    def get_classifier(self) -> nn.Module:
        return self.classifier

    def attention_modules(self) -> list[ChannelSpatialAttention]:
        return [m for m in self.modules() if isinstance(m, ChannelSpatialAttention)]


def load_matched(model: nn.Module, state_dict: dict) -> list[str]:
    """Copy every tensor of ``state_dict`` whose name and shape match ``model``'s; return those names.

    The rest of ``model`` (attention modules, a classifier of another size) keeps its
    initialisation.  The returned names are the "matched pretrained layers" that phase 1 of
    :func:`tremorlab.vision.train.two_phase_fit` freezes.
    """
    own = model.state_dict()
    matched = {k: v for k, v in state_dict.items() if k in own and tuple(own[k].shape) == tuple(v.shape)}
    own.update(matched)
    model.load_state_dict(own)
    return sorted(matched)


def etsdnet(num_classes: int = 5, pretrained: bool = False, weights_file: str | None = None,
            **kwargs) -> ETSDNet:
    """Build ETSD-Net; with ``pretrained`` start from timm's ImageNet ``mobilenetv2_100``.

    ``weights_file`` (a timm ``mobilenetv2_100`` state dict, ``.pth`` or ``.safetensors``)
    is loaded through timm's ``pretrained_cfg_overlay=dict(file=...)`` instead of the model hub.
    The names of the matched tensors are kept in ``model.matched_``.
    """
    model = ETSDNet(num_classes=num_classes, **kwargs)
    model.matched_ = []
    if pretrained or weights_file:
        donor = timm_model("mobilenetv2_100", num_classes=1000, pretrained=True, weights_file=weights_file)
        model.matched_ = load_matched(model, donor.state_dict())
    return model


# --------------------------------------------------------------------------------------------
# ETSD-Net on EfficientNet-Lite0 (a MobileNetV2-family network with ImageNet weights offline)
# --------------------------------------------------------------------------------------------

def _attn_forward_ds(self, x: torch.Tensor) -> torch.Tensor:
    """timm ``DepthwiseSeparableConv.forward`` with the attention on the projected output."""
    shortcut = x
    x = self.se(self.aa(self.bn1(self.conv_dw(x))))
    x = self.attn(self.bn2(self.conv_pw(x)))
    return self.drop_path(x) + shortcut if self.has_skip else x


def _attn_forward_ir(self, x: torch.Tensor) -> torch.Tensor:
    """timm ``InvertedResidual.forward`` with the attention on the projected output."""
    shortcut = x
    x = self.bn1(self.conv_pw(x))
    x = self.se(self.aa(self.bn2(self.conv_dw(x))))
    x = self.attn(self.bn3(self.conv_pwl(x)))
    return self.drop_path(x) + shortcut if self.has_skip else x


def _with_attention(block: nn.Module, attn: nn.Module) -> nn.Module:
    """Give a timm block an ``attn`` module on its projected output (same place as in ETSD-Net)."""
    from timm.models._efficientnet_blocks import DepthwiseSeparableConv, InvertedResidual as TimmIR

    if getattr(block, "conv_s2d", None) is not None:
        raise ValueError("space-to-depth blocks are not supported")
    base = DepthwiseSeparableConv if isinstance(block, DepthwiseSeparableConv) else TimmIR
    if not isinstance(block, base):
        raise TypeError(f"expected a timm DepthwiseSeparableConv or InvertedResidual, got {type(block).__name__}")
    fwd = _attn_forward_ds if base is DepthwiseSeparableConv else _attn_forward_ir
    cls = type(f"Attn{base.__name__}", (base,), {"forward": fwd})
    block.__class__ = cls
    block.attn = attn
    return block


def block_out_channels(block: nn.Module) -> int:
    last = block.conv_pwl if hasattr(block, "conv_pwl") else block.conv_pw
    return last.out_channels


def etsdnet_lite0(num_classes: int = 5, pretrained: bool = False, weights_file: str | None = None,
                  attention: str = "stage", reduction: int = 16, kernel_size: int = 7, **kwargs) -> nn.Module:
    """ETSD-Net's attention placed in EfficientNet-Lite0, optionally from its ImageNet weights.

    The placement is the one :class:`ETSDNet` uses in MobileNetV2: a
    :class:`ChannelSpatialAttention` (identity at start) on the projected output of the last
    inverted residual block of each of the 7 stages (``attention="stage"``) or of all 16 blocks
    (``"all"``), before the residual addition.  The backbone is timm's ``efficientnet_lite0``
    (:func:`tremorlab.vision.pretrained.efficientnet_lite0`), whose ImageNet weights come from a
    pip package; the tensor names stay timm's, only ``...attn.*`` and the classifier are new.
    ``model.matched_`` lists the pretrained tensors (frozen in phase 1 of two-phase training).
    """
    if attention not in ("stage", "all"):
        raise ValueError(f"attention must be 'stage' or 'all', got {attention!r}")
    model = efficientnet_lite0(num_classes=num_classes, pretrained=pretrained, weights_file=weights_file, **kwargs)
    for stage in model.blocks:
        for j, block in enumerate(stage):
            if attention == "all" or j == len(stage) - 1:
                _with_attention(block, ChannelSpatialAttention(block_out_channels(block), reduction, kernel_size))
    return model


# --------------------------------------------------------------------------------------------
# What the attention adds: parameters and multiply-accumulates, from the layer shapes
# --------------------------------------------------------------------------------------------

def _mobilenetv2_blocks(image_size: int = 224) -> list[dict]:
    out, c_in, h = [], 32, image_size // 2
    for t, c, n, s in MOBILENETV2_STAGES:
        for i in range(n):
            h_out = -(-h // (s if i == 0 else 1))
            out.append({"c_out": c, "hidden": c_in * t, "h_out": h_out, "last": i == n - 1})
            c_in, h = c, h_out
    return out


def attention_delta(placement: str = "stage", position: str = "output", reduction: int = 16, kernel_size: int = 7,
                    min_hidden: int = 8, spatial_input: str = "pooled", image_size: int = 224) -> tuple[int, int]:
    """Parameters and MACs that the attention adds to MobileNetV2, counted from the layer shapes.

    Per attended block with :math:`C` channels (``position``: the block output or its expanded
    channels), hidden width :math:`h = \\max(\\lfloor C/r \\rfloor, h_{min})`, output side
    :math:`H`, spatial kernel :math:`k`, and :math:`c_s` input channels of the spatial
    convolution (2 for CBAM's pooled maps, :math:`C` for a convolution over all channels):

    .. math:: \\Delta P = 2Ch + h + C + c_s k^2, \\qquad
              \\Delta\\mathrm{MAC} = 2\\cdot 2Ch + H^2 c_s k^2

    (the shared MLP runs on the average- and the max-pooled vector).  Element-wise products,
    pooling and sigmoids are not multiply-accumulates and are not counted (fvcore's convention,
    the one of the size table).  Returns (parameters, MACs).
    """
    if placement not in ("stage", "all") or position not in ("output", "expanded"):
        raise ValueError(f"placement {placement!r} / position {position!r}")
    p = m = 0
    for b in _mobilenetv2_blocks(image_size):
        if placement == "stage" and not b["last"]:
            continue
        c = b["c_out"] if position == "output" else b["hidden"]
        h = max(c // reduction, min_hidden)
        cs = 2 if spatial_input == "pooled" else c
        p += 2 * c * h + h + c + cs * kernel_size ** 2
        m += 4 * c * h + b["h_out"] ** 2 * cs * kernel_size ** 2
    return p, m


#: how close to the paper's deltas a configuration of :func:`paper_attention_search` must come (a fraction)
SEARCH_TOLERANCE = 0.15


def paper_attention_search(target_params_m: float = 0.06, target_gmacs: float = 0.03, tolerance: float = SEARCH_TOLERANCE,
                           reductions=(1, 2, 4, 8, 16, 32), kernels=(1, 3, 5, 7)):
    """Every attention configuration of the family (placement x position x r x k x spatial input)
    with its deltas and whether each is within ``tolerance`` of the paper's (Table 5:
    2.26 - 2.20 M parameters, 0.33 - 0.30 G MACs).  Returns a pandas DataFrame."""
    import pandas as pd

    rows = []
    for placement in ("stage", "all"):
        for position in ("output", "expanded"):
            for spatial in ("pooled", "full"):
                for r in reductions:
                    for k in kernels:
                        p, m = attention_delta(placement, position, r, k, spatial_input=spatial)
                        rows.append({"placement": placement, "position": position, "spatial_input": spatial,
                                     "reduction": r, "kernel": k, "d_params_M": p / 1e6, "d_GMACs": m / 1e9,
                                     "params_ok": abs(p / 1e6 / target_params_m - 1) <= tolerance,
                                     "macs_ok": abs(m / 1e9 / target_gmacs - 1) <= tolerance})
    df = pd.DataFrame(rows)
    df["both_ok"] = df.params_ok & df.macs_ok
    return df
