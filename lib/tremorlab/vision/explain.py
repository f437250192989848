"""Where a grader looks: Grad-CAM (Selvaraju et al. 2017) and saliency (Simonyan et al. 2014).

Grad-CAM comes from the maintained ``grad-cam`` package (``pytorch_grad_cam``).  For class
:math:`c` and the activations :math:`A^k` of a target layer,

.. math:: \\alpha_k^c = \\frac{1}{Z}\\sum_{i,j} \\frac{\\partial y^c}{\\partial A^k_{ij}}, \\qquad
          L^c = \\mathrm{ReLU}\\Big(\\sum_k \\alpha_k^c A^k\\Big),

upsampled to the input size and scaled to [0, 1].  The saliency map is the largest absolute
input gradient over the colour channels, :math:`M_{ij} = \\max_c |\\partial y^c / \\partial x_{cij}|`,
scaled to [0, 1], where :math:`x` is the network's (ImageNet-normalised) input.
"""

from __future__ import annotations

import numpy as np
import torch

from tremorlab.vision.dataset import to_tensor


def target_layer(model) -> torch.nn.Module:
    """The last convolutional feature layer of each architecture (the usual Grad-CAM target)."""
    name = type(model).__name__
    if name in ("ETSDNet", "EfficientNet"):  # timm builds MobileNetV2 with its EfficientNet class
        return model.conv_head
    if name == "ResNet":
        return model.layer4[-1]
    if name == "DenseNet":
        return model.features.norm5
    if name == "ConvNeXt":
        return model.stages[-1]
    raise ValueError(f"no Grad-CAM target layer known for {name}")


def gradcam(model, images: np.ndarray, classes, layer=None) -> np.ndarray:
    """Grad-CAM maps (n, H, W) in [0, 1] for uint8 images and the class of each image."""
    from pytorch_grad_cam import GradCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    model.eval()
    layer = layer if layer is not None else target_layer(model)
    with GradCAM(model=model, target_layers=[layer]) as cam:
        maps = cam(input_tensor=to_tensor(images), targets=[ClassifierOutputTarget(int(c)) for c in classes])
    return np.asarray(maps, dtype=np.float32)


def saliency(model, images: np.ndarray, classes) -> np.ndarray:
    """Saliency maps (n, H, W) in [0, 1]: max over channels of |d logit_c / d input|."""
    model.eval()
    x = to_tensor(images).requires_grad_(True)
    logits = model(x)
    sel = logits[torch.arange(len(images)), torch.as_tensor(np.asarray(classes), dtype=torch.long)]
    (grad,) = torch.autograd.grad(sel.sum(), x)
    m = grad.abs().amax(dim=1).numpy()
    mx = m.reshape(len(m), -1).max(axis=1).reshape(-1, 1, 1)
    return (m / np.where(mx > 0, mx, 1)).astype(np.float32)


def coverage(maps: np.ndarray, ink_mask: np.ndarray, level: float = 0.5) -> np.ndarray:
    """Fraction of the ink (mask True) that lies where a map exceeds ``level``: how much of the
    drawing a model attends to (the paper discusses "global" vs "local" attention by eye)."""
    hot = maps >= level
    ink = ink_mask.astype(bool)
    return (hot & ink).reshape(len(maps), -1).sum(1) / np.maximum(ink.reshape(len(maps), -1).sum(1), 1)
