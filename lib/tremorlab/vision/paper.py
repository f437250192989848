"""The numbers of Peng et al. (2025) that chapter 1 sets beside its own (Tables 4 and 5, text)."""

from __future__ import annotations

#: Table 4: accuracy, precision, recall, F1 (%), test set.
TABLE4 = {
    "resnet50": (86.43, 88.48, 86.43, 86.73),
    "densenet121": (85.93, 85.92, 85.93, 85.51),
    "convnext_tiny": (86.93, 88.87, 86.93, 87.21),
    "mobilenetv2": (87.44, 87.63, 87.44, 87.44),
    "etsdnet_original": (86.43, 86.39, 86.43, 86.18),
    "etsdnet": (88.44, 88.64, 88.44, 88.45),
}
#: Table 5: "FLOPs" (G; these are multiply-accumulates), parameters (M), inference time (ms, mean +- s.d.).
TABLE5 = {
    "resnet50": (4.13, 23.52, 7.17, 4.15),
    "densenet121": (2.83, 6.88, 18.27, 1.64),
    "convnext_tiny": (4.45, 27.80, 5.34, 1.28),
    "mobilenetv2": (0.30, 2.20, 7.21, 0.93),
    "etsdnet": (0.33, 2.26, 20.17, 10.56),
}
#: Per-class AUC range of ETSD-Net (Results, Fig. 3).
AUC_RANGE = (0.98, 0.99)
#: Validity of clinicians' spiral and handwriting ratings quoted in the Discussion (Elble et al. 2013), %.
CLINICIAN_RANGE = (76.2, 80.4)
#: Dataset: images, patients, scans (clinic), photos (home).
DATASET = {"images": 997, "patients": 315, "scans": 798, "photos": 199}
