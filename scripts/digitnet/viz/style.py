"""Shared look and helpers of every figure: readable at 100% zoom, signed values centred on zero."""

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

TRAIN_COLOR = "#1f77b4"
VALIDATION_COLOR = "#d62728"
MISTAKE_COLOR = "#d62728"
CORRECT_COLOR = "#2ca02c"
SIGNED_CMAP = "RdBu_r"  # red positive, blue negative, white zero
DIGIT_CMAP = "gray_r"  # ink dark on white paper, as people see a digit
DPI = 110


def new_figure(width: float, height: float) -> Figure:
    """An empty figure of ``width`` x ``height`` inches with constrained layout (no overlapping labels)."""
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def symmetric_limit(*arrays: np.ndarray) -> float:
    """The largest |value| over all arrays, so a colour scale [-limit, limit] puts zero at white."""
    limit = max(float(np.nanmax(np.abs(a))) for a in arrays)
    return limit if limit > 0 else 1.0


def as_grid(vector: np.ndarray) -> np.ndarray:
    """A vector of n activations -> a (rows, cols) image about twice as wide as tall, padded with NaN.

    128 units become 8 x 16; NaN cells stay blank, so padding is never mistaken for a unit.
    """
    n = vector.size
    cols = math.ceil(math.sqrt(2 * n))
    rows = math.ceil(n / cols)
    grid = np.full(rows * cols, np.nan)
    grid[:n] = vector.ravel()
    return grid.reshape(rows, cols)


def show_digit(ax: Axes, pixels: np.ndarray, title: str | None = None, **title_kwargs) -> None:
    """Draw a 784-pixel digit as a 28x28 image, ink dark, without ticks."""
    ax.imshow(pixels.reshape(28, 28), cmap=DIGIT_CMAP, vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, **title_kwargs)


def show_signed(ax: Axes, image: np.ndarray, limit: float, title: str | None = None, aspect: str = "equal"):
    """Draw signed values on the red-white-blue scale [-limit, limit]; return the image for a colour bar."""
    shown = ax.imshow(image, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit, aspect=aspect, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return shown


def sample_units(n: int, at_most: int) -> np.ndarray:
    """Indices of at most ``at_most`` units spread evenly over n (all of them when n is small)."""
    return np.arange(n) if n <= at_most else np.linspace(0, n - 1, at_most).round().astype(int)


def probability_bars(ax, P: np.ndarray, label: int | None, title: str, class_names: list[str] | None = None) -> None:
    """Bars of P : (10,) per class, the true class's bar green, others blue, values printed.

    ``class_names`` label the bars (default: the digits 0-9).
    """
    colors = ["#2ca02c" if k == label else "#1f77b4" for k in range(len(P))]
    ax.bar(range(len(P)), P, color=colors)
    ax.set(ylim=(0, 1.15), xlabel="class" if class_names else "digit", ylabel="probability", title=title)
    if class_names:
        ax.set_xticks(range(len(P)), class_names, rotation=40, ha="right")
    else:
        ax.set_xticks(range(len(P)))
    for k, p in enumerate(P):
        if p >= 0.01:
            ax.text(k, p + 0.02, f"{p:.2f}", ha="center", fontsize=8)


def strongest(maps: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` maps of maps : (C, H, W) (or C rows of anything) with the largest
    norm, in increasing order: the few worth drawing when a layer has 32 or 64."""
    norms = np.linalg.norm(maps.reshape(len(maps), -1), axis=1)
    return np.sort(np.argsort(-norms, kind="stable")[:count])


def show_maps(fig, maps: np.ndarray, channels: np.ndarray, title: str, label: str, columns: int = 2) -> None:
    """Draw maps[channels] (maps : (C, H, W)) as a grid of small signed images on one colour scale.

    ``fig`` is a figure or subfigure of its own; each image is titled with its channel, the
    grid with ``title``, the colour bar with ``label``.
    """
    rows = math.ceil(len(channels) / columns)
    axes = np.atleast_2d(fig.subplots(rows, columns, squeeze=False))
    limit = symmetric_limit(maps[channels])
    shown = None
    for k, ax in enumerate(axes.ravel()):
        if k >= len(channels):
            ax.axis("off")
            continue
        shown = show_signed(ax, maps[channels[k]], limit)
        ax.set_title(f"map {channels[k]}", fontsize=8)
    fig.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.7, label=label)
    fig.suptitle(title, fontsize=10)


def which(channels: np.ndarray, total: int, why: str, noun: str = "maps") -> str:
    """A caption naming what is drawn: 'all 4 maps' or '6 of 32 maps, the strongest here'."""
    if len(channels) == total:
        return f"all {total} {noun}"
    return f"{len(channels)} of {total} {noun}, {why}"
