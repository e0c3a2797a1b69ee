"""The weight update: one optimizer step, W before, the change, W after, per layer."""

from textwrap import fill

import numpy as np
from matplotlib.figure import Figure

from digitnet.trace import StepTrace, first_step_rule
from digitnet.viz.style import new_figure, show_signed, symmetric_limit


def update_figure(trace: StepTrace) -> Figure:
    """One row per dense layer: W before | the change | W after, plus the loss before and after.

    W before and W after share one symmetric colour scale, so they can be compared cell by
    cell. The change is about a thousand times smaller than W: on that scale it would be
    invisible, so it gets its own symmetric scale, printed in its title. Each W is drawn
    transposed, one row per unit of the layer.
    """
    n = len(trace.layers)
    fig = new_figure(14, 2.6 * n + 2.6)
    grid = fig.add_gridspec(n + 1, 3, height_ratios=[1] * n + [0.9])
    for row, step in enumerate(trace.layers):
        change = step.W_after - step.W_before
        limit = symmetric_limit(step.W_before, step.W_after)
        change_limit = symmetric_limit(change)
        d_in, d_out = step.W_before.shape
        panels = [
            (step.W_before.T, limit, f"layer {row + 1}: W before, ({d_in}, {d_out}) drawn transposed"),
            (change.T, change_limit, f"change $\\Delta W$ (scale $\\pm${change_limit:.1e})"),
            (step.W_after.T, limit, "W after = W before + $\\Delta W$"),
        ]
        for column, (image, scale, title) in enumerate(panels):
            ax = fig.add_subplot(grid[row, column])
            shown = show_signed(ax, image, scale, title, aspect="auto")
            ax.set_ylabel(f"{d_out} units")
            ax.set_xlabel(f"{d_in} inputs")
            fig.colorbar(shown, ax=ax, shrink=0.9)

    loss_ax = fig.add_subplot(grid[n, 0])
    loss_ax.bar(["before", "after"], [trace.loss_before, trace.loss_after], color=["#7f7f7f", "#2ca02c"])
    loss_ax.set(
        ylabel="loss on this digit",
        ylim=(0, 1.25 * max(trace.loss_before, trace.loss_after, 1e-6)),
        title="loss $-\\log p_y$ before and after the step",
    )
    for k, value in enumerate([trace.loss_before, trace.loss_after]):
        loss_ax.text(k, value, f"{value:.4f}", ha="center", va="bottom", fontsize=9)
    prob_ax = fig.add_subplot(grid[n, 1])
    width = 0.4
    digits = np.arange(len(trace.P))
    prob_ax.bar(digits - width / 2, trace.P, width, label="before", color="#7f7f7f")
    prob_ax.bar(digits + width / 2, trace.P_after, width, label="after", color="#2ca02c")
    prob_ax.set(xticks=digits, xlabel="digit", ylabel="probability", title="softmax output before and after")
    prob_ax.legend()
    text_ax = fig.add_subplot(grid[n, 2])
    text_ax.axis("off")
    text_ax.text(
        0,
        0.5,
        f"learning rate {trace.lr:g}, weight decay {trace.l2:g}\n"
        f"the first step of a fresh optimizer, on this digit alone:\n"
        + fill(first_step_rule(trace.optimizer), 48)
        + "\n\nIn training this digit's gradient is averaged\nwith the rest of its batch, so its own step\nis that many times smaller.",
        va="center",
        fontsize=10,
    )
    fig.suptitle(
        f"One optimizer step on test digit #{trace.index}: the loss goes from {trace.loss_before:.4f} to {trace.loss_after:.4f}"
    )
    return fig
