"""Shared look and helpers of every figure: readable at 100% zoom, signed values centred on zero."""

import math

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

TRAIN_COLOR = "#1f77b4"
VALIDATION_COLOR = "#d62728"
MISTAKE_COLOR = "#d62728"
CORRECT_COLOR = "#2ca02c"
SIGNED_CMAP = "RdBu_r"  # red positive, blue negative, white zero
DIGIT_CMAP = "gray_r"  # ink dark on white paper, as people see a digit
# The same for a mosaic of digits, and a red-white-blue one for signed tiles: the blank (NaN)
# lines between tiles in grey, so that each tile's white paper has an edge.
FRAMED_DIGIT_CMAP = colormaps[DIGIT_CMAP].with_extremes(bad="#b0b0b0")
FRAMED_SIGNED_CMAP = colormaps[SIGNED_CMAP].with_extremes(bad="#e4e4e4")
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


def mosaic(tiles: np.ndarray, cols: int, gap: int = 2) -> np.ndarray:
    """tiles : (n, h, w) -> one (rows (h + gap) - gap, cols (w + gap) - gap) image, row by row, NaN between tiles.

    One image in one axes draws many times faster than one axes per tile (each axes costs
    matplotlib milliseconds to lay out and render); NaN cells are left blank.
    """
    n, h, w = tiles.shape
    rows = math.ceil(n / cols)
    grid = np.full((rows, cols, h + gap, w + gap), np.nan, dtype=np.float32)
    grid[np.arange(n) // cols, np.arange(n) % cols, :h, :w] = tiles
    return grid.transpose(0, 2, 1, 3).reshape(rows * (h + gap), cols * (w + gap))[:-gap, :-gap]


def tile_centers(count: int, size: int, gap: int = 2) -> np.ndarray:
    """Pixel coordinates of the centers of ``count`` tiles of ``size`` pixels along one axis of a mosaic."""
    return np.arange(count) * (size + gap) + (size - 1) / 2


def titled_mosaic(
    ax: Axes, images: np.ndarray, cols: int, titles: list[str], colors: list[str], framed: np.ndarray, gap: int = 12
) -> None:
    """Draw digits images : (n, 784) as one mosaic image in ``ax``, ``cols`` to a row, each with its
    title (in its colour) in the gap above it and, where ``framed`` : (n,) bool, a red frame.

    The look of a grid of small titled axes at a fraction of the cost: one image, n texts.
    """
    tiles = np.pad(images.reshape(-1, 28, 28), ((0, 0), (gap, 0), (0, 0)), constant_values=np.nan)
    ax.imshow(mosaic(tiles, cols, 4), cmap=DIGIT_CMAP, vmin=0, vmax=1, interpolation="nearest")  # NaN: blank
    size = 28 + gap + 4  # rows of one tile with its title gap, and the space below
    for k, (title, color) in enumerate(zip(titles, colors, strict=True)):
        left, top = (k % cols) * 32 - 0.5, (k // cols) * size + gap - 0.5
        ax.text(left + 14, top - 1, title, color=color, fontsize=9, ha="center", va="bottom")
        edge, width = (MISTAKE_COLOR, 2.5) if framed[k] else ("black", 0.8)
        ax.add_patch(Rectangle((left, top), 28, 28, fill=False, edgecolor=edge, linewidth=width, clip_on=False))
    ax.set_axis_off()


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
