"""Feature maps: what each convolution layer makes of one digit."""

import numpy as np
from matplotlib.figure import Figure

from digitnet.viz.style import new_figure, show_digit

CHANNELS_SHOWN = 8


def feature_maps_figure(pixels: np.ndarray, label: int, index: int, maps: list[tuple[str, np.ndarray]]) -> Figure:
    """The digit, then one row per convolution layer with its first feature maps.

    pixels : (784,); maps: (layer name, activations (C, H, W)) per convolution layer, after
    its activation function. Bright where the filter found its pattern.
    """
    cols = CHANNELS_SHOWN + 1
    fig = new_figure(1.45 * cols + 0.6, 1.7 * len(maps) + 0.9)
    axes = fig.subplots(len(maps), cols, squeeze=False)
    for row, (name, activations) in enumerate(maps):
        if row == 0:
            show_digit(axes[row, 0], pixels, f"test digit #{index}\n(a {label})", fontsize=9)
        else:
            axes[row, 0].axis("off")
        top = max(float(activations.max()), 1e-6)
        for k in range(CHANNELS_SHOWN):
            ax = axes[row, k + 1]
            ax.set_xticks([])
            ax.set_yticks([])
            if k < len(activations):
                ax.imshow(activations[k], cmap="magma", vmin=0, vmax=top)
                ax.set_title(f"{name}, map {k}", fontsize=8)
            else:
                ax.axis("off")
    fig.suptitle(f"Feature maps: the first {CHANNELS_SHOWN} channels of each convolution layer, for one digit")
    return fig
