"""Backpropagation for one digit: the error at the output, flowing back through each layer."""

import numpy as np
from matplotlib.figure import Figure

from digitnet.trace import LayerRecord, StepTrace
from digitnet.viz.style import as_grid, new_figure, show_maps, show_signed, strongest, symmetric_limit, which

UNITS_SHOWN = 16  # first-layer weight gradients drawn as 28 x 28 images
MAPS_SHOWN = 6  # gradient maps and filters drawn per convolution layer


def backward_figure(trace: StepTrace) -> Figure:
    """Top: the output error p - y, each hidden dense layer's dL/dZ, and the gradient norms per layer.

    Then, for a network whose first layer is dense and reads the pixels: its dL/dW, one
    28 x 28 view per hidden unit (the units with the largest gradient). For a convolutional
    network, one row per convolution layer, last first: the gradient arriving at the pooling
    after it and what pooling passes back (nonzero only where each window had its maximum),
    dL/dZ after the activation's derivative, and beside each filter its gradient dW. Each row
    draws the MAPS_SHOWN maps with the largest gradient, named by number.
    """
    number = {record.position: i for i, record in enumerate(trace.weighted, start=1)}
    convolutions = [r for r in trace.weighted if r.output.ndim == 4]
    pixel_dense = not convolutions and trace.weighted[0].position == 0
    rows = 1 + len(convolutions) + pixel_dense
    fig = new_figure(17, 4.0 * rows + 0.4)
    panels = fig.subfigures(rows, 1, squeeze=False)[:, 0]
    head(panels[0], trace, number)
    for panel, record in zip(panels[1:], reversed(convolutions), strict=False):
        conv_row(panel, trace, record, number[record.position])
    if pixel_dense:
        first_layer_gradients(panels[-1], trace.weighted[0])
    fig.suptitle(
        f"Backpropagation for test digit #{trace.index} (a {trace.label}): "
        f"loss $L = -\\log p_{{{trace.label}}}$ = {trace.loss_before:.4f}"
    )
    return fig


def head(panel, trace: StepTrace, number: dict[int, int]) -> None:
    """The output error, each hidden dense layer's dL/dZ (last first) and the gradient norms."""
    hidden = [r for r in trace.weighted[:-1] if r.output.ndim == 2]
    grid = panel.add_gridspec(1, 2 + len(hidden))
    error_ax = panel.add_subplot(grid[0, 0])
    error = trace.dlogits[0]
    error_ax.bar(range(len(error)), error, color=["#2ca02c" if v < 0 else "#d62728" for v in error])
    error_ax.axhline(0, color="black", lw=0.6)
    error_ax.set(
        xticks=range(len(error)), xlabel="digit", ylabel="dL/dz", title="output error: $dL/dz = p - y$\n(batch of one: N = 1)"
    )
    for column, record in enumerate(reversed(hidden), start=1):
        i = number[record.position]
        ax = panel.add_subplot(grid[0, column])
        image = show_signed(ax, as_grid(record.d_output), symmetric_limit(record.d_output))
        activation = trace.activation_of(record)
        derivative = f" $\\odot$ {activation.type}'$(Z_{i})$" if activation else ""
        ax.set_title(f"layer {i}: $dL/dZ_{i}$ = $dL/dA_{i}${derivative}\n{tuple(record.d_output.shape)}", fontsize=10)
        panel.colorbar(image, ax=ax, shrink=0.8, label="dL/dZ")
    norms_ax = panel.add_subplot(grid[0, -1])
    names = [f"layer {number[r.position]}" for r in trace.weighted]
    positions = np.arange(len(names))
    norms_ax.bar(positions - 0.2, [np.linalg.norm(r.params["W"].grad) for r in trace.weighted], width=0.4, label="||dW||")
    norms_ax.bar(positions + 0.2, [np.linalg.norm(r.params["b"].grad) for r in trace.weighted], width=0.4, label="||db||")
    norms_ax.set(xticks=positions, xticklabels=names, yscale="log", ylabel="gradient norm (log)", title="gradient size per layer")
    norms_ax.legend()


def conv_row(panel, trace: StepTrace, record: LayerRecord, i: int) -> None:
    """One convolution layer's backward pass: through the pooling after it, its activation, and its filters."""
    dZ = record.d_output[0]  # (F, H, W)
    channels = strongest(dZ, MAPS_SHOWN)
    activation = trace.activation_of(record)
    after = trace.layers[(activation or record).position + 1] if (activation or record).position + 1 < len(trace.layers) else None
    pool = after if after is not None and after.role == "pool" else None
    parts = ([(2.2, "pool out"), (2.2, "pool in")] if pool else []) + [(2.2, "dZ"), (5.2, "filters")]
    columns = panel.subfigures(1, len(parts), width_ratios=[width for width, _ in parts])
    chosen = which(channels, len(dZ), "largest gradient")
    k = 0
    if pool:
        show_maps(
            columns[0],
            pool.d_output[0],
            channels,
            f"into the max pool after layer {i}:\n$dL/d$(pool out) {tuple(pool.d_output.shape)}",
            "grad",
            3,
        )
        show_maps(
            columns[1],
            pool.d_input[0],
            channels,
            f"through the pool: each window's gradient\nto its max, 0 elsewhere {tuple(pool.d_input.shape)}",
            "grad",
            3,
        )
        k = 2
    derivative = f"$dL/dA_{i} \\odot$ {activation.type}'$(Z_{i})$" if activation else f"$dL/dZ_{i}$"
    show_maps(columns[k], dZ, channels, f"layer {i}: $dL/dZ_{i}$ = {derivative}\n{chosen}", "dL/dZ", 3)
    filters_and_gradients(columns[k + 1], record, channels, i)


def filters_and_gradients(panel, record: LayerRecord, filters: np.ndarray, i: int) -> None:
    """Each chosen filter W[f, c] (before the step) beside its gradient dW[f, c], c its slice with the
    largest gradient: the pattern, and how this digit pushes it."""
    W, dW = record.params["W"].before, record.params["W"].grad  # (F, C, k, k)
    slices = [int(np.argmax(np.linalg.norm(dW[f].reshape(dW.shape[1], -1), axis=1))) for f in filters]
    axes = panel.subplots(2, 2 * ((len(filters) + 1) // 2), squeeze=False)
    w_limit = symmetric_limit(*(W[f, c] for f, c in zip(filters, slices, strict=True)))
    g_limit = symmetric_limit(*(dW[f, c] for f, c in zip(filters, slices, strict=True)))
    w_image = g_image = None
    for n, ax in enumerate(axes.ravel()):
        f_index = n // 2
        if f_index >= len(filters):
            ax.axis("off")
            continue
        f, c = filters[f_index], slices[f_index]
        where = f"filter {f}" if W.shape[1] == 1 else f"filter {f}, map {c}"
        if n % 2 == 0:
            w_image = show_signed(ax, W[f, c], w_limit, f"{where}: W")
        else:
            g_image = show_signed(ax, dW[f, c], g_limit, "its dW")
        ax.title.set_fontsize(8)
    panel.colorbar(w_image, ax=axes[:, 0::2].ravel().tolist(), shrink=0.7, label="W", location="left")
    panel.colorbar(g_image, ax=axes[:, 1::2].ravel().tolist(), shrink=0.7, label="dW")
    panel.suptitle(
        f"layer {i}: $dL/dW_{i}[f, c, u, v] = \\sum_{{y,x}} dL/dZ_{i}[f, y, x]\\, X[c, y+u, x+v]$ (+ weight decay)\n"
        "each filter beside its gradient, the same filters as on the left",
        fontsize=10,
    )


def first_layer_gradients(panel, first: LayerRecord) -> None:
    """dL/dW of a dense first layer that reads the pixels: column j seen as a 28 x 28 image."""
    dW = first.params["W"].grad  # (784, H)
    strongest_units = np.argsort(-np.linalg.norm(dW, axis=0))[:UNITS_SHOWN]
    axes = panel.subplots(2, UNITS_SHOWN // 2)
    limit = symmetric_limit(dW[:, strongest_units])
    image = None
    for ax, unit in zip(axes.ravel(), strongest_units, strict=False):
        image = show_signed(ax, dW[:, unit].reshape(28, 28), limit)
        ax.set_title(f"unit {unit}", fontsize=9)
    for ax in axes.ravel()[len(strongest_units) :]:
        ax.axis("off")
    panel.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label="dL/dW (first layer)")
    panel.suptitle(
        f"First layer: $dL/dW_1 = X^T dL/dZ_1$ (+ weight decay), shape {dW.shape}; "
        f"column j seen as 28 x 28, for the {len(strongest_units)} units with the largest gradient",
        fontsize=11,
    )
