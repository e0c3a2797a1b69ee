"""Backpropagation for one digit: the error at the output, flowing back through each layer."""

import numpy as np
from matplotlib.figure import Figure

from digitnet.trace import StepTrace
from digitnet.viz.style import as_grid, new_figure, show_signed, symmetric_limit

UNITS_SHOWN = 16  # first-layer weight gradients drawn as 28 x 28 images


def backward_figure(trace: StepTrace) -> Figure:
    """Top: the output error p - y, each hidden layer's dL/dZ, and the gradient norms per layer.
    Bottom: dL/dW of the first layer, one 28 x 28 view per hidden unit (the units with the
    largest gradient): the pixels whose weights this digit pushes up (red) or down (blue).
    """
    output = trace.layers[-1]
    hidden = trace.layers[:-1]
    n_top = 2 + len(hidden)
    fig = new_figure(max(3.4 * n_top, 13), 8.6)
    top_fig, bottom_fig = fig.subfigures(2, 1, height_ratios=[1, 1.1])
    top = top_fig.add_gridspec(1, n_top)

    error_ax = top_fig.add_subplot(top[0, 0])
    error = output.dZ[0]
    error_ax.bar(range(len(error)), error, color=["#2ca02c" if v < 0 else "#d62728" for v in error])
    error_ax.axhline(0, color="black", lw=0.6)
    error_ax.set(
        xticks=range(len(error)), xlabel="digit", ylabel="dL/dz", title="output error: $dL/dz = p - y$\n(batch of one: N = 1)"
    )

    for column, step in enumerate(reversed(hidden), start=1):
        i = len(hidden) - column + 1
        ax = top_fig.add_subplot(top[0, column])
        image = show_signed(ax, as_grid(step.dZ), symmetric_limit(step.dZ))
        ax.set_title(f"layer {i}: $dL/dZ_{i} = (dL/dZ_{i + 1} W_{i + 1}^T) \\odot f'(Z_{i})$", fontsize=10)
        top_fig.colorbar(image, ax=ax, shrink=0.8, label="dL/dZ")

    norms_ax = top_fig.add_subplot(top[0, n_top - 1])
    names = [f"layer {i + 1}" for i in range(len(trace.layers))]
    weight_norms = [float(np.linalg.norm(step.dW)) for step in trace.layers]
    bias_norms = [float(np.linalg.norm(step.db)) for step in trace.layers]
    positions = np.arange(len(names))
    norms_ax.bar(positions - 0.2, weight_norms, width=0.4, label="||dW||")
    norms_ax.bar(positions + 0.2, bias_norms, width=0.4, label="||db||")
    norms_ax.set(xticks=positions, xticklabels=names, yscale="log", ylabel="gradient norm (log)", title="gradient size per layer")
    norms_ax.legend()

    first = trace.layers[0]
    dW = first.dW  # (784, H) when the first dense layer reads the pixels
    if dW.shape[0] != 784:
        # After convolutions the first dense layer reads feature maps, not pixels: show dW whole.
        ax = bottom_fig.subplots()
        image = show_signed(ax, dW.T, symmetric_limit(dW), aspect="auto")
        ax.set(xlabel=f"{dW.shape[0]} inputs (flattened feature maps)", ylabel=f"{dW.shape[1]} units")
        bottom_fig.colorbar(image, ax=ax, shrink=0.8, label="dL/dW")
        bottom_fig.suptitle(f"First dense layer: $dL/dW = A^T dL/dZ$, shape {dW.shape}, drawn transposed", fontsize=11)
        fig.suptitle(f"Backpropagation for test digit #{trace.index} (a {trace.label}): loss {trace.loss_before:.4f}")
        return fig
    strongest = np.argsort(-np.linalg.norm(dW, axis=0))[:UNITS_SHOWN]
    axes = bottom_fig.subplots(2, UNITS_SHOWN // 2)
    limit = symmetric_limit(dW[:, strongest])
    image = None
    for ax, unit in zip(axes.ravel(), strongest, strict=False):
        image = show_signed(ax, dW[:, unit].reshape(28, 28), limit)
        ax.set_title(f"unit {unit}", fontsize=9)
    for ax in axes.ravel()[len(strongest) :]:
        ax.axis("off")
    bottom_fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label="dL/dW (first layer)")
    bottom_fig.suptitle(
        f"First layer: $dL/dW_1 = X^T dL/dZ_1$ (+ weight decay), shape {dW.shape}; "
        f"column j seen as 28 x 28, for the {UNITS_SHOWN} units with the largest gradient",
        fontsize=11,
    )
    fig.suptitle(
        f"Backpropagation for test digit #{trace.index} (a {trace.label}): loss $L = -\\log p_{{{trace.label}}}$ = {trace.loss_before:.4f}"
    )
    return fig
