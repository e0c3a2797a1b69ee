"""Forward propagation of one digit: what each layer computes from the one before."""

import numpy as np
from matplotlib.figure import Figure

from digitnet.trace import StepTrace
from digitnet.viz.style import as_grid, new_figure, probability_bars, show_digit, show_signed, symmetric_limit


def forward_figure(trace: StepTrace) -> Figure:
    """The input, every layer's Z = X W + b and A = f(Z), and the softmax output, left to right.

    Hidden layers are drawn as grids of units (128 units -> 8 x 16), on a symmetric
    colour scale: red is positive, blue negative, white zero. The output layer's 10
    logits are bars, followed by the probabilities softmax turns them into.
    """
    hidden = trace.layers[:-1]
    output = trace.layers[-1]
    n_cols = 2 + len(hidden) + 1
    fig = new_figure(3.3 * n_cols, 6.4)
    grid = fig.add_gridspec(2, n_cols)
    input_ax = fig.add_subplot(grid[:, 0])
    show_digit(input_ax, trace.x, f"input X: test digit #{trace.index}\n(1, 784), shown as 28 x 28")
    # A convolutional network's dense layers read the last feature maps, flattened, not the pixels.
    after_convolutions = not np.array_equal(trace.layers[0].X.ravel(), trace.x.ravel())
    if after_convolutions:
        d_in = trace.layers[0].W_before.shape[0]
        input_ax.set_xlabel(f"convolutions and pooling (not drawn)\nturn X into feature maps,\nflattened to $A_0$ : (1, {d_in})")
    for i, step in enumerate(hidden, start=1):
        d_in, d_out = step.W_before.shape
        limit = symmetric_limit(step.Z)
        z_ax, a_ax = fig.add_subplot(grid[0, i]), fig.add_subplot(grid[1, i])
        image = show_signed(z_ax, as_grid(step.Z), limit)
        name = "dense layer" if after_convolutions else "layer"
        z_ax.set_title(f"{name} {i}: $Z_{i} = A_{i - 1} W_{i} + b_{i}$\n(1, {d_in}) @ ({d_in}, {d_out}) + ({d_out},)")
        fig.colorbar(image, ax=z_ax, shrink=0.8, label="Z")
        image = show_signed(a_ax, as_grid(step.A), limit)
        active = int((step.A > 0).sum())
        a_ax.set_title(f"$A_{i} = {step.activation}(Z_{i})$: {active} of {d_out} units active")
        fig.colorbar(image, ax=a_ax, shrink=0.8, label="A")
    logits_ax = fig.add_subplot(grid[0, n_cols - 2 : n_cols])
    d_in, d_out = output.W_before.shape
    logits = output.Z[0]
    logits_ax.bar(range(d_out), logits, color=["#2ca02c" if k == trace.label else "#7f7f7f" for k in range(d_out)])
    logits_ax.axhline(0, color="black", lw=0.6)
    logits_ax.set(
        xticks=range(d_out),
        xlabel="digit",
        ylabel="logit z",
        title=f"output: $z = A W + b$, (1, {d_in}) @ ({d_in}, {d_out}) + ({d_out},)",
    )
    probability_bars(
        fig.add_subplot(grid[1, n_cols - 2 : n_cols]),
        trace.P,
        trace.label,
        f"softmax: $p_k = e^{{z_k}} / \\sum_j e^{{z_j}}$; true digit {trace.label} in green",
    )
    fig.suptitle(
        f"Forward propagation of one test digit: the network answers {trace.predicted} "
        f"with probability {trace.P[trace.predicted]:.1%} (true digit {trace.label})"
    )
    return fig
