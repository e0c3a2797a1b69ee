"""What the hidden units look for: the first layer's weights seen as images."""

import numpy as np
from matplotlib.figure import Figure

from digitnet.viz.style import new_figure, sample_units, show_signed, symmetric_limit

MAX_UNITS = 64


def conv_filters(W: np.ndarray) -> Figure:
    """The first convolution's filters W : (F, C, k, k), channel 0 of each as a k x k image.

    Each filter slides over the image; where the ink matches its red pattern, its feature
    map lights up. All filters share one symmetric colour scale.
    """
    F = W.shape[0]
    cols = 8
    rows = int(np.ceil(F / cols))
    fig = new_figure(1.3 * cols + 1.2, max(3.2, 1.35 * rows + 0.9))
    axes = np.atleast_2d(fig.subplots(rows, cols))
    limit = symmetric_limit(W[:, 0])
    image = None
    for k, ax in enumerate(axes.ravel()):
        if k < F:
            image = show_signed(ax, W[k, 0], limit)
            ax.set_title(f"filter {k}", fontsize=9)
        else:
            ax.axis("off")
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.6, label="weight")
    fig.suptitle(f"What the first convolution looks for: its {F} filters of {W.shape[2]} x {W.shape[3]} pixels")
    return fig


def first_layer_filters(W: np.ndarray) -> Figure:
    """Column j of W : (784, H) as a 28 x 28 image: the pattern of ink that excites unit j.

    Unit j computes z_j = sum_i x_i W[i, j] + b_j, so ink on red pixels raises z_j and ink
    on blue pixels lowers it. All images share one symmetric colour scale. Layers wider
    than 64 units show an evenly spread sample.
    """
    units = sample_units(W.shape[1], MAX_UNITS)
    cols = 8 if len(units) > 16 else 4
    rows = int(np.ceil(len(units) / cols))
    fig = new_figure(1.45 * cols + 1.2, 1.5 * rows + 0.9)
    axes = np.atleast_2d(fig.subplots(rows, cols))
    limit = symmetric_limit(W[:, units])
    image = None
    for k, ax in enumerate(axes.ravel()):
        if k < len(units):
            image = show_signed(ax, W[:, units[k]].reshape(28, 28), limit)
            ax.set_title(f"unit {units[k]}", fontsize=9)
        else:
            ax.axis("off")
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.6, label="weight (red: ink here excites the unit)")
    shown = f"{len(units)} of {W.shape[1]}" if len(units) < W.shape[1] else f"all {W.shape[1]}"
    fig.suptitle(f"What the hidden units look for: first-layer weights of {shown} units as 28 x 28 images")
    return fig
