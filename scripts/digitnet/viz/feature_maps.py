"""Feature maps: what each convolution layer makes of one digit."""

import numpy as np
from matplotlib.figure import Figure

from digitnet.viz.style import new_figure, show_digit, strongest

CHANNELS_SHOWN = 8


def feature_maps_figure(pixels: np.ndarray, label: int, index: int, maps: list[tuple[str, np.ndarray]]) -> Figure:
    """The digit, then one row per convolution layer with its CHANNELS_SHOWN strongest feature maps.

    pixels : (784,); maps: (layer name, activations (C, H, W)) per convolution layer, after
    its activation function. Bright where the filter found its pattern; each map is named by
    its number, since with 32 or 64 filters only a few are drawn.
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
        channels = strongest(activations, CHANNELS_SHOWN)
        for k in range(CHANNELS_SHOWN):
            ax = axes[row, k + 1]
            ax.set_xticks([])
            ax.set_yticks([])
            if k < len(channels):
                ax.imshow(activations[channels[k]], cmap="magma", vmin=0, vmax=top)
                ax.set_title(f"{name}, map {channels[k]}", fontsize=8)
            else:
                ax.axis("off")
    fig.suptitle(f"Feature maps: the {CHANNELS_SHOWN} strongest of each convolution layer for this digit (all, when it has fewer)")
    return fig
