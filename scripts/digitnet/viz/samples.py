"""The data: what the network is given to learn from."""

import numpy as np
from matplotlib.figure import Figure

from digitnet.viz.style import new_figure, show_digit


def sample_digits(X: np.ndarray, y: np.ndarray, per_class: int = 12, class_names: list[str] | None = None) -> Figure:
    """A grid of training images, one row per class: X : (N, 784) in [0, 1], y : (N,).

    Shows the first ``per_class`` examples of each class, so the variety within a class
    (slant, thickness, style) is visible next to the differences between classes.
    ``class_names`` label the rows (default: the digits 0-9).
    """
    names = class_names or [str(k) for k in range(10)]
    label_width = 0.09 * max(map(len, names))  # inches for the longest row label
    fig = new_figure(per_class * 0.62 + 0.6 + label_width, 10 * 0.66 + 0.8)
    axes = fig.subplots(10, per_class, gridspec_kw={"wspace": 0.05, "hspace": 0.05})
    for digit in range(10):
        rows = np.flatnonzero(y == digit)[:per_class]
        for col in range(per_class):
            ax = axes[digit, col]
            if col < len(rows):
                show_digit(ax, X[rows[col]])
            else:
                ax.axis("off")
        axes[digit, 0].set_ylabel(names[digit], rotation=0, labelpad=8, fontsize=12, va="center", ha="right")
    what = "digits" if class_names is None else "images"
    fig.suptitle(f"Training {what}: 28 x 28 pixels, each a number from 0 (paper) to 1 (ink)")
    return fig
