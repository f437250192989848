"""tremorlab.vision: chapter 1, ET severity grading from CRST spiral images.

Modules (each imports torch / timm only when it is itself imported):

* :mod:`~tremorlab.vision.dataset` -- ``labels.csv`` folders (validated, all rows at once),
  image loading, resizing and ImageNet normalisation, subject-independent splits.
* :mod:`~tremorlab.vision.augment` -- the paper's augmentation and class balancing.
* :mod:`~tremorlab.vision.etsdnet` -- ETSD-Net: MobileNetV2 with channel-spatial attention.
* :mod:`~tremorlab.vision.baselines` -- the four timm baselines and pretrained-weight loading.
* :mod:`~tremorlab.vision.train` -- two-phase transfer learning with layer-wise learning rates.
* :mod:`~tremorlab.vision.evaluate` -- metrics with bootstrap CIs, ROC/AUC, t-SNE features.
* :mod:`~tremorlab.vision.explain` -- Grad-CAM (``grad-cam`` package) and saliency maps.
* :mod:`~tremorlab.vision.profile` -- parameters, MACs/FLOPs (fvcore) and CPU latency.
* :mod:`~tremorlab.vision.trace` -- the interpretable ink-trace baseline.
"""
