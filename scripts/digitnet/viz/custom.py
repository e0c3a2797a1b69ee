"""A custom image's journey: from the photo, stage by stage, to the 28 x 28 digit and the answer."""

import math
from textwrap import fill

import numpy as np
from matplotlib.figure import Figure

from digitnet.viz.style import new_figure, probability_bars

COLUMNS = 6


def image_steps_figure(prediction: dict, thumbnail: np.ndarray, steps: list[tuple[str, np.ndarray]]) -> Figure:
    """The original, every preprocessing stage, and the probability of each digit.

    thumbnail : (h, w, 3) uint8; steps: (name, image (H, W) in [0, 1]) in order, the last
    the 28 x 28 input. Gray-level stages are drawn as they are (white paper); ink stages
    white on black, as the network sees them.
    """
    panels = 1 + len(steps) + 1
    rows = math.ceil(panels / COLUMNS)
    fig = new_figure(2.2 * COLUMNS, 2.5 * rows + 0.6)
    axes = fig.subplots(rows, COLUMNS, squeeze=False).ravel()
    axes[0].imshow(thumbnail)
    axes[0].set_title("your image", fontsize=10)
    for ax, (name, image) in zip(axes[1:], steps, strict=False):
        ax.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest" if max(image.shape) <= 28 else "antialiased")
        ax.set_title(fill(name, 24), fontsize=9)
    for ax in axes[: 1 + len(steps)]:
        ax.set_xticks([])
        ax.set_yticks([])
    bars = axes[1 + len(steps)]
    probability_bars(bars, np.array(prediction["probabilities"]), prediction["label"], "probabilities")
    for ax in axes[panels:]:
        ax.axis("off")
    digit, confidence = prediction["top3"][0]
    truth = "" if prediction["label"] is None else f", labelled {prediction['label']}"
    warning = f"  [warning: {prediction['warnings'][0]}]" if prediction["warnings"] else ""
    fig.suptitle(fill(f"{prediction['file']}: the network reads {digit} ({confidence:.0%}){truth}{warning}", 110), fontsize=11)
    return fig


def error_figure(file: str, error: str) -> Figure:
    """A small figure that says why an image could not be read (so every image has a picture)."""
    fig = new_figure(7, 1.6)
    ax = fig.subplots()
    ax.axis("off")
    ax.text(0.0, 0.5, fill(f"{file}: could not be used: {error}", 90), va="center", fontsize=10, color="#b00020")
    return fig
