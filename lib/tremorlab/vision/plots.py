"""Figures of chapter 1 (matplotlib, imported only here)."""

from __future__ import annotations

import numpy as np


def sheet_grid(images, titles=None, ncols=5, size=2.0):
    """A grid of images with optional titles; returns the figure."""
    import matplotlib.pyplot as plt

    n = len(images)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.3 * nrows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for i, img in enumerate(images):
        ax = axes.ravel()[i]
        ax.imshow(img)
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    fig.tight_layout()
    return fig


def confusion_and_roc(results: dict, names: dict):
    """One column per model: its confusion matrix (top) and per-class ROC curves (bottom)."""
    import matplotlib.pyplot as plt

    k = len(results)
    fig, axes = plt.subplots(2, k, figsize=(3.2 * k, 6.2), squeeze=False)
    for j, (key, r) in enumerate(results.items()):
        cm = r["confusion"]
        ax = axes[0, j]
        ax.imshow(cm, cmap="Blues")
        for (a, b), v in np.ndenumerate(cm):
            ax.text(b, a, str(v), ha="center", va="center", fontsize=7, color="k" if v < cm.max() / 2 else "w")
        ax.set_title(names.get(key, key), fontsize=9)
        ax.set_xlabel("predicted grade")
        ax.set_ylabel("label (consensus)")
        ax = axes[1, j]
        for c, roc in r["roc"].items():
            ax.plot(roc["fpr"], roc["tpr"], lw=1, label=f"{c}: {roc['auc']:.2f}")
        ax.plot([0, 1], [0, 1], "k:", lw=0.5)
        ax.set_xlabel("false positive rate")
        ax.set_ylabel("true positive rate")
        ax.legend(title="grade: AUC", fontsize=6, title_fontsize=6)
    fig.tight_layout()
    return fig


def embedding(points: dict, labels: dict, names: dict):
    """t-SNE scatter per model, coloured by grade."""
    import matplotlib.pyplot as plt

    k = len(points)
    fig, axes = plt.subplots(1, k, figsize=(3.2 * k, 3.0), squeeze=False)
    for j, (key, p) in enumerate(points.items()):
        ax = axes[0, j]
        sc = ax.scatter(p[:, 0], p[:, 1], c=labels[key], cmap="viridis", vmin=0, vmax=4, s=10)
        ax.set_title(names.get(key, key), fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(sc, ax=axes.ravel().tolist(), label="grade")
    return fig


def heatmaps(images, maps: dict, names: dict, row_titles):
    """Rows: the input then one row per model's map (overlaid); columns: one image per grade."""
    import matplotlib.pyplot as plt

    rows = 1 + len(maps)
    n = len(images)
    fig, axes = plt.subplots(rows, n, figsize=(1.8 * n, 1.8 * rows), squeeze=False)
    for i in range(n):
        axes[0, i].imshow(images[i])
        axes[0, i].set_title(row_titles[i], fontsize=8)
        for r, (key, m) in enumerate(maps.items(), start=1):
            axes[r, i].imshow(images[i])
            axes[r, i].imshow(m[i], cmap="jet", alpha=0.45, vmin=0, vmax=1)
    for r, key in enumerate(["input", *maps], start=0):
        axes[r, 0].set_ylabel(names.get(key, key), fontsize=8)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def real_grades(pred: dict):
    """Histogram of predicted grades for healthy vs PD, one panel per real dataset."""
    import matplotlib.pyplot as plt

    k = len(pred)
    fig, axes = plt.subplots(1, k, figsize=(3.6 * k, 2.8), squeeze=False)
    for j, (name, d) in enumerate(pred.items()):
        ax = axes[0, j]
        for lab, off in (("healthy", -0.2), ("parkinson", 0.2)):
            g = d["grade"][d["label"] == lab]
            counts = np.bincount(g, minlength=5) / max(len(g), 1)
            ax.bar(np.arange(5) + off, counts, width=0.4, label=f"{lab} (n={len(g)})")
        ax.set_xlabel("predicted CRST grade")
        ax.set_ylabel("share of images")
        ax.set_title(name, fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
