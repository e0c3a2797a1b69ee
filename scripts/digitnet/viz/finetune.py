"""What fine-tuning on a person's handwriting did: its loss, how far each layer moved, and the digits it changed."""

import math

import numpy as np
from matplotlib.figure import Figure

from digitnet.viz.style import CORRECT_COLOR, MISTAKE_COLOR, TRAIN_COLOR, new_figure

SHOWN = 16  # flipped digits drawn at most, the fixed first


def finetune_figure(summary: dict, batch_losses: np.ndarray, pixels: np.ndarray) -> Figure:
    """Left: the loss of every fine-tuning batch. Middle: each weighted layer's relative change
    ||W' - W|| / ||W||. Right: the digits cross-validation changed (summary["within"]: fixed in
    green, broken in red), each with its label and both answers; pixels : (n, 784) one per digit."""
    within = summary.get("within", {"fixed": [], "broken": []})
    flips = (within["fixed"] + within["broken"])[:SHOWN]
    columns = max(1, min(4, len(flips)))
    rows = max(1, math.ceil(len(flips) / columns))
    fig = new_figure(13, 3.6)
    grid = fig.add_gridspec(rows, 2 + columns, width_ratios=[3, 3] + [1] * columns, wspace=0.35)
    loss = fig.add_subplot(grid[:, 0])
    loss.plot(batch_losses, color=TRAIN_COLOR, linewidth=1)
    loss.set(title="loss of each fine-tuning batch", xlabel="batch", ylabel="cross-entropy")
    moved = fig.add_subplot(grid[:, 1])
    layers = summary.get("layers", [])
    moved.barh([layer["layer"] for layer in layers][::-1], [100 * layer["change"] for layer in layers][::-1], color=TRAIN_COLOR)
    moved.set(title="how far each layer's weights moved", xlabel="change, % of the weights' size")
    for k, flip in enumerate(flips):
        ax = fig.add_subplot(grid[k // columns, 2 + k % columns])
        ax.imshow(pixels[flip["image"]].reshape(28, 28), cmap="gray", vmin=0, vmax=1)
        colour = CORRECT_COLOR if flip["after"] == flip["label"] else MISTAKE_COLOR
        ax.set_title(f"{flip['label']}: {flip['before']} -> {flip['after']}", fontsize=9, color=colour)
        ax.set_xticks([])
        ax.set_yticks([])
    if not flips:
        ax = fig.add_subplot(grid[:, 2:])
        ax.axis("off")
        ax.text(0.5, 0.5, "no digit changed its answer", ha="center", va="center")
    return fig
