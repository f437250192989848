"""Spiral image sets: the ``labels.csv`` layout, loading, resizing and ImageNet normalisation.

A graded image folder (the layout of the paper's private data, for a user who has such data)::

    my_spirals/
        labels.csv          subject_id,image,grade,setting
        img/0001.jpg        ...

``image`` is a path relative to the folder, ``grade`` the CRST spiral grade 0-4, ``setting``
``scan`` (clinic) or ``photo`` (home).  :func:`read_labels` checks every row before anything is
loaded and reports all bad rows together (unknown grade or setting, missing subject, missing,
unreadable or duplicate image -- duplicate by name or by identical bytes), each with its line.

Preprocessing as in Peng et al. (2025, "Dataset preparation"): resize to 224x224, then
normalise with the ImageNet mean (0.485, 0.456, 0.406) and s.d. (0.229, 0.224, 0.225).
Images are kept as uint8 (n, H, W, 3) and normalised batch by batch (:func:`to_tensor`).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from tremorlab.io import RecordingError, read_image
from tremorlab.learn.splits import subject_split

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
LABEL_COLUMNS = ("subject_id", "image", "grade", "setting")
SETTINGS = ("scan", "photo")
GRADES = (0, 1, 2, 3, 4)


class LabelFileError(RecordingError):
    """One or more bad rows of a ``labels.csv``; ``problems`` lists each as a RecordingError."""

    def __init__(self, source: str, problems: list[RecordingError]):
        self.source, self.problems = source, problems
        self.field, self.expected, self.got, self.line = "<rows>", "valid rows", len(problems), None
        lines = "\n".join(f"  - {p}" for p in problems)
        ValueError.__init__(self, f"{source}: {len(problems)} bad row(s):\n{lines}")


def read_labels(folder: str | os.PathLike, filename: str = "labels.csv", check_images: bool = True):
    """Read and validate ``<folder>/labels.csv``; returns a DataFrame with an absolute ``path``.

    Raises
    ------
    LabelFileError
        Listing every bad row (line numbers as in the file, header = line 1).
    RecordingError
        The file is missing or lacks a required column.
    """
    import pandas as pd

    folder = Path(folder)
    src = str(folder / filename)
    if not os.path.isfile(src):
        raise RecordingError(src, "<file>", f"a {filename} with columns {', '.join(LABEL_COLUMNS)}", "no such file")
    df = pd.read_csv(src, dtype=str, keep_default_na=False)
    missing = [c for c in LABEL_COLUMNS if c not in df.columns]
    if missing:
        raise RecordingError(src, ", ".join(missing), f"columns {', '.join(LABEL_COLUMNS)}", list(df.columns))
    problems: list[RecordingError] = []
    seen_name: dict[str, int] = {}
    seen_hash: dict[str, int] = {}
    grades, paths = [], []
    for i, row in df.iterrows():
        line = int(i) + 2
        g = str(row["grade"]).strip()
        grade = int(g) if g.lstrip("-").isdigit() and int(g) in GRADES else None
        if grade is None:
            problems.append(RecordingError(src, "grade", "an integer CRST grade 0-4", row["grade"], line))
        grades.append(grade if grade is not None else -1)
        if row["setting"].strip() not in SETTINGS:
            problems.append(RecordingError(src, "setting", f"one of {SETTINGS}", row["setting"], line))
        if not row["subject_id"].strip():
            problems.append(RecordingError(src, "subject_id", "a non-empty subject identifier", row["subject_id"], line))
        name = row["image"].strip()
        path = (folder / name).resolve()
        paths.append(str(path))
        key = os.path.normcase(str(path))
        if not name:
            problems.append(RecordingError(src, "image", "a path relative to the folder", name, line))
            continue
        if key in seen_name:
            problems.append(RecordingError(src, "image", f"each image once (already on line {seen_name[key]})", name, line))
            continue
        seen_name[key] = line
        if not path.is_file():
            problems.append(RecordingError(src, "image", "an existing image file", name, line))
            continue
        if check_images:
            data = path.read_bytes()
            try:
                from PIL import Image

                with Image.open(path) as im:
                    im.verify()
            except Exception as exc:  # PIL raises many kinds for a broken file
                problems.append(RecordingError(src, "image", "a readable PNG/JPEG image", f"{name}: {exc}", line))
                continue
            digest = hashlib.sha256(data).hexdigest()
            if digest in seen_hash:
                problems.append(RecordingError(src, "image", f"distinct images (same bytes as line {seen_hash[digest]})",
                                               name, line))
            else:
                seen_hash[digest] = line
    if problems:
        raise LabelFileError(src, problems)
    df = df.assign(grade=np.asarray(grades, int), path=paths, setting=df["setting"].str.strip(),
                   subject_id=df["subject_id"].str.strip())
    return df


def resize(img: np.ndarray, size: int = 224) -> np.ndarray:
    """Resize a uint8 image (H, W, 3) to (size, size, 3) (antialiased bilinear, no cropping)."""
    from PIL import Image

    if img.shape[:2] == (size, size):
        return img
    return np.asarray(Image.fromarray(img).resize((size, size), Image.Resampling.BILINEAR, reducing_gap=None))


def load_images(paths, size: int = 224) -> np.ndarray:
    """Read (through :func:`tremorlab.io.read_image`, as RGB) and resize every image -> uint8 (n, size, size, 3)."""
    paths = list(paths)
    out = np.empty((len(paths), size, size, 3), np.uint8)
    for i, p in enumerate(paths):
        out[i] = resize(read_image(p, "RGB"), size)
    return out


def to_tensor(images: np.ndarray):
    """uint8 (n, H, W, 3) -> float tensor (n, 3, H, W) normalised with the ImageNet mean and s.d.

    :math:`x' = (x / 255 - \\mu_c) / \\sigma_c` per channel :math:`c`.
    """
    import torch

    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float().div_(255.0)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (x - mean) / std


def from_tensor(x) -> np.ndarray:
    """Inverse of :func:`to_tensor` for display: (n, 3, H, W) -> uint8 (n, H, W, 3)."""
    import torch

    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    arr = ((x.detach() * std + mean).clamp(0, 1) * 255).round().byte().permute(0, 2, 3, 1).numpy()
    return arr


def split_6_2_2(subjects, labels, seed: int = 0) -> dict[str, np.ndarray]:
    """Subject-independent 6:2:2 train/validation/test split (``tremorlab.learn.splits.subject_split``)."""
    tr, va, te = subject_split(np.asarray(subjects), np.asarray(labels), fractions=(0.6, 0.2, 0.2), seed=seed)
    return {"train": tr, "val": va, "test": te}
