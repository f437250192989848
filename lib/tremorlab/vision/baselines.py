"""The paper's baselines through timm, and pretrained weights from the hub or from a local file.

Peng et al. (2025) compare ETSD-Net with ResNet50, DenseNet (121), ConvNeXt-Tiny and
MobileNet-V2, each given a new 5-class fully connected head.  :func:`create` builds any of
them (and ETSD-Net) by one name.  Pretrained weights:

* ``pretrained=True`` -- timm downloads the ImageNet weights from its model hub (needs network).
* ``weights_file=...`` -- a local copy of the same weights (``.pth``/``.bin`` state dict or
  ``.safetensors``), passed to timm as ``pretrained_cfg_overlay=dict(file=...)``; timm drops
  the 1000-class classifier when ``num_classes`` differs and loads the rest.
"""

from __future__ import annotations

import os

from tremorlab.vision.etsdnet import etsdnet, etsdnet_lite0
from tremorlab.vision.pretrained import efficientnet_lite0, timm_model

#: Model name in the chapter -> timm architecture.
TIMM_NAMES = {"resnet50": "resnet50", "densenet121": "densenet121", "convnext_tiny": "convnext_tiny",
              "mobilenetv2": "mobilenetv2_100"}
#: Display names as in the paper's tables.
DISPLAY = {"resnet50": "ResNet50", "densenet121": "DenseNet", "convnext_tiny": "ConvNeXt-Tiny",
           "mobilenetv2": "MobileNet-V2", "etsdnet": "ETSD-Net",
           "efficientnet_lite0": "EfficientNet-Lite0", "etsdnet_lite0": "ETSD-Net (Lite0)"}
MODELS = ("resnet50", "densenet121", "convnext_tiny", "mobilenetv2", "etsdnet")
#: Models on EfficientNet-Lite0, whose ImageNet weights ship in a pip package (no hub needed):
#: ``pretrained=True`` loads them from the package (:mod:`tremorlab.vision.pretrained`).
LITE_MODELS = ("efficientnet_lite0", "etsdnet_lite0")


def create(name: str, num_classes: int = 5, pretrained: bool = False, weights_file: str | os.PathLike | None = None,
           **kwargs):
    """Build model ``name`` (one of :data:`MODELS` or :data:`LITE_MODELS`) with a ``num_classes`` head.

    Parameters
    ----------
    pretrained : bool
        Start from timm's ImageNet weights (hub download unless ``weights_file`` is given).
    weights_file : path, optional
        Local weight file used instead of the hub (implies ``pretrained``).  For ETSD-Net this
        is a ``mobilenetv2_100`` file; the tensors that match by name and shape are loaded.

    Returns
    -------
    torch.nn.Module with ``forward_features``, ``forward_head`` and ``get_classifier`` (timm's
    interface) and ``matched_``: names of the tensors that came from the pretrained weights
    (empty when starting from random initialisation).
    """
    if name == "etsdnet":
        return etsdnet(num_classes=num_classes, pretrained=pretrained, weights_file=weights_file, **kwargs)
    if name == "efficientnet_lite0":
        return efficientnet_lite0(num_classes=num_classes, pretrained=pretrained, weights_file=weights_file, **kwargs)
    if name == "etsdnet_lite0":
        return etsdnet_lite0(num_classes=num_classes, pretrained=pretrained, weights_file=weights_file, **kwargs)
    if name not in TIMM_NAMES:
        raise ValueError(f"unknown model '{name}'; models: {', '.join(MODELS + LITE_MODELS)}")
    return timm_model(TIMM_NAMES[name], num_classes=num_classes, pretrained=pretrained, weights_file=weights_file,
                      **kwargs)
