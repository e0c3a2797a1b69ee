"""The data: what the network is given to learn from."""

import numpy as np
from matplotlib.figure import Figure

from digitnet.viz.style import FRAMED_DIGIT_CMAP, mosaic, new_figure, tile_centers


def sample_digits(X: np.ndarray, y: np.ndarray, per_class: int = 12, class_names: list[str] | None = None) -> Figure:
    """A grid of training images, one row per class: X : (N, 784) in [0, 1], y : (N,).

    Shows the first ``per_class`` examples of each class, so the variety within a class
    (slant, thickness, style) is visible next to the differences between classes.
    ``class_names`` label the rows (default: the digits 0-9).
    """
    names = class_names or [str(k) for k in range(10)]
    label_width = 0.09 * max(map(len, names))  # inches for the longest row label
    fig = new_figure(per_class * 0.62 + 0.6 + label_width, 10 * 0.66 + 0.8)
    tiles = np.full((10, per_class, 28, 28), np.nan, dtype=np.float32)  # a class with fewer images leaves blanks
    for digit in range(10):
        rows = np.flatnonzero(y == digit)[:per_class]
        tiles[digit, : len(rows)] = X[rows].reshape(-1, 28, 28)
    ax = fig.subplots()
    # One image of all the digits, grey lines between them: 120 axes took seconds to draw.
    ax.imshow(mosaic(tiles.reshape(-1, 28, 28), per_class), cmap=FRAMED_DIGIT_CMAP, vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks(tile_centers(10, 28), names, fontsize=12)
    ax.tick_params(left=False)
    what = "digits" if class_names is None else "images"
    fig.suptitle(f"Training {what}: 28 x 28 pixels, each a number from 0 (paper) to 1 (ink)")
    return fig
