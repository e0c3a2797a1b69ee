"""What the network looks for: a dense first layer's weights, or every convolution's filters, as images."""

import numpy as np
from matplotlib.figure import Figure

from digitnet.viz.style import (
    FRAMED_SIGNED_CMAP,
    mosaic,
    new_figure,
    sample_units,
    show_signed,
    symmetric_limit,
    tile_centers,
)

MAX_UNITS = 64


def conv_filters(weights: list[np.ndarray]) -> Figure:
    """The filters of every convolution layer, one panel per layer; weights[l] : (F, C, k, k).

    The first layer reads the image itself (C = 1): each filter is one k x k pattern, and
    where the ink matches its red part, its feature map lights up. A later layer's filter
    holds one k x k slice per feature map it reads (C of them); the panel shows, for up to
    8 filters (rows), their slices for the first 8 input maps (columns). Each panel has
    one symmetric colour scale.
    """
    heights = [_panel_rows(W) * 1.3 + 0.9 for W in weights]
    fig = new_figure(1.3 * 8 + 1.2, max(3.2, sum(heights)))
    panels = fig.subfigures(len(weights), 1, height_ratios=heights, squeeze=False)[:, 0]
    for number, (panel, W) in enumerate(zip(panels, weights, strict=True), start=1):
        F, C, kh, kw = W.shape
        if C == 1:  # each filter one image, 8 to a row
            images = [(W[f, 0], f"filter {f}") for f in range(F)]
            title = f"Convolution {number}: its {F} filters of {kh} x {kw} pixels"
        else:  # rows: filters; columns: the input maps they read
            filters, channels = range(min(F, 8)), range(min(C, 8))
            images = [(W[f, c], f"filter {f}, map {c}") for f in filters for c in channels]
            title = (
                f"Convolution {number}: {F} filters of {C} x {kh} x {kw}; "
                f"{len(filters)} filters (rows) on {len(channels)} of the {C} maps it reads (columns)"
            )
        axes = np.atleast_2d(panel.subplots(_panel_rows(W), 8))
        limit = symmetric_limit(W)
        shown = None
        for ax, item in zip(axes.ravel(), images + [None] * (axes.size - len(images)), strict=True):
            if item is None:
                ax.axis("off")
                continue
            shown = show_signed(ax, item[0], limit)
            ax.set_title(item[1], fontsize=7 if C > 1 else 9)
        panel.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.6, label="weight")
        panel.suptitle(title)
    return fig


def _panel_rows(W: np.ndarray) -> int:
    """Rows of 8 images in the panel of a convolution's filters W : (F, C, k, k)."""
    F, C = W.shape[:2]
    return int(np.ceil(F / 8)) if C == 1 else min(F, 8)


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
    ax = fig.subplots()
    limit = symmetric_limit(W[:, units])
    # One image of all the units (64 axes took seconds to draw), each tile's name in the gap above it.
    gap = 7
    tiles = W[:, units].T.reshape(-1, 28, 28)
    padded = np.pad(mosaic(tiles, cols, gap), ((gap, 0), (0, 0)), constant_values=np.nan)
    image = ax.imshow(padded, cmap=FRAMED_SIGNED_CMAP, vmin=-limit, vmax=limit, interpolation="nearest")
    for k, unit in enumerate(units):
        x, y = tile_centers(cols, 28, gap)[k % cols], (k // cols) * (28 + gap) + gap - 1
        ax.text(x, y, f"unit {unit}", fontsize=9, ha="center", va="bottom")
    ax.set_axis_off()
    fig.colorbar(image, ax=ax, shrink=0.6, label="weight (red: ink here excites the unit)")
    shown = f"{len(units)} of {W.shape[1]}" if len(units) < W.shape[1] else f"all {W.shape[1]}"
    fig.suptitle(f"What the hidden units look for: first-layer weights of {shown} units as 28 x 28 images")
    return fig
