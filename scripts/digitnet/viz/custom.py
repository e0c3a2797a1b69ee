"""A custom image's journey: from the photo, stage by stage, to the 28 x 28 digit and the answer."""

import math
from textwrap import fill

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from digitnet.viz.style import DPI, new_figure, probability_bars

COLUMNS = 6
MAX_PIECES_DRAWN = 40  # a sheet's figure shows at most this many of its digits, 28 x 28 each


def image_steps_figure(prediction: dict, thumbnail: np.ndarray, steps: list[tuple[str, np.ndarray]]) -> Figure:
    """The original, every preprocessing stage, and the probability of each digit.

    thumbnail : (h, w, 3) uint8; steps: (name, image (H, W) in [0, 1]) in order, the last
    the 28 x 28 input. Gray-level stages are drawn as they are (white paper); ink stages
    white on black, as the network sees them.
    """
    panels = 1 + len(steps) + 1
    rows = math.ceil(panels / COLUMNS)
    height = 2.5 * rows + 0.6
    # Fixed margins, not constrained layout: laying out this many panels is a large share of the
    # figure's time, and a class's photos bring up to two dozen.
    fig = Figure(figsize=(2.2 * COLUMNS, height), dpi=DPI)
    fig.subplots_adjust(left=0.05, right=0.99, bottom=0.6 / height, top=1 - 0.95 / height, wspace=0.25, hspace=0.45)
    axes = fig.subplots(rows, COLUMNS, squeeze=False).ravel()
    axes[0].imshow(thumbnail)
    axes[0].set_title("your image", fontsize=10)
    for ax, (name, image) in zip(axes[1:], steps, strict=False):
        ax.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest" if max(image.shape) <= 28 else "antialiased")
        ax.set_title(fill(name, 24), fontsize=9, parse_math=False)
    for ax in axes[: 1 + len(steps)]:
        ax.set_xticks([])
        ax.set_yticks([])
    bars = axes[1 + len(steps)]
    label = prediction["label"]
    probability_bars(bars, np.array(prediction["probabilities"]), int(label) if label is not None and len(label) == 1 else None, "probabilities")
    for ax in axes[panels:]:
        ax.axis("off")
    digit, confidence = prediction["top3"][0]
    truth = "" if prediction["label"] is None else f", labelled {prediction['label']}"
    warning = f"  [warning: {prediction['warnings'][0]}]" if prediction["warnings"] else ""
    # A file name is data: parse_math=False keeps "$...$" in it from reaching matplotlib's math parser.
    fig.suptitle(fill(f"{prediction['file']}: the network reads {digit} ({confidence:.0%}){truth}{warning}", 110), fontsize=11, parse_math=False)
    return fig


def sheet_figure(result: dict, thumbnail: np.ndarray, pixels: np.ndarray) -> Figure:
    """A sheet of digits: the photo with a box and the digit read on each piece, then each piece's 28 x 28 input.

    thumbnail : (h, w, 3) uint8, the photo scaled down from result["size"] (width, height);
    pixels : (k, 784) in [0, 1], the pieces in reading order, as the network read them.
    """
    pieces = result["pieces"]
    shown = pieces[:MAX_PIECES_DRAWN]  # each piece is a panel: a figure's cost grows with them
    columns = min(max(len(shown), 1), 10)
    rows = math.ceil(len(shown) / columns)
    fig = new_figure(max(8.0, 1.1 * columns), 4.0 + 1.3 * rows)
    grid = fig.add_gridspec(1 + rows, columns, height_ratios=[4.0] + [1.1] * rows)
    photo = fig.add_subplot(grid[0, :])
    photo.imshow(thumbnail)
    scale = thumbnail.shape[1] / result["size"][0]
    for piece in pieces:
        left, top, right, bottom = (v * scale for v in piece["box"])
        colour = "#1a7f37" if piece["confidence"] >= 0.6 else "#b00020"
        photo.add_patch(Rectangle((left, top), right - left, bottom - top, fill=False, edgecolor=colour, linewidth=1.5))
        photo.text(left, top, str(piece["digit"]), color="white", fontsize=10, va="bottom", bbox={"facecolor": colour, "pad": 1})
    photo.set_xticks([])
    photo.set_yticks([])
    for i, piece in enumerate(shown):
        ax = fig.add_subplot(grid[1 + i // columns, i % columns])
        ax.imshow(pixels[i].reshape(28, 28), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"{piece['digit']} ({piece['confidence']:.0%})", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    truth = "" if result["label"] is None else f", labelled {result['label']}"
    more = f" (the first {len(shown)} of its {len(pieces)} digits below)" if len(shown) < len(pieces) else ""
    answer = result["answer"] if len(result["answer"]) <= 60 else result["answer"][:60] + "..."
    fig.suptitle(fill(f"{result['file']}: the network reads {answer}{truth}{more}", 110), fontsize=11, parse_math=False)
    return fig
