"""The weight update: one optimizer step, W before, the change, W after, per layer."""

from textwrap import fill

import numpy as np
from matplotlib.figure import Figure

from digitnet.trace import LayerRecord, StepTrace, first_step_rule
from digitnet.viz.style import new_figure, show_signed, strongest, symmetric_limit, which

FILTERS_SHOWN = 6  # filters drawn per convolution layer (the preset has 32 and 64)


def update_figure(trace: StepTrace) -> Figure:
    """One row per layer with weights, then the loss and the probabilities before and after.

    A dense layer: W before | the change | W after, each drawn transposed (one row per unit).
    A convolution: for the FILTERS_SHOWN filters the step changed most (named by number),
    each filter before, its change and after, as small images (a later layer's filter by its
    slice for the input map that changed most). Before and after share one symmetric colour
    scale, so they can be compared cell by cell; the change is about a thousand times
    smaller than W, so it gets its own scale, printed in its title.
    """
    weighted = trace.weighted
    n = len(weighted)
    heights = [2.6 if record.output.ndim == 2 else 3.4 for record in weighted] + [2.4]
    fig = new_figure(14, sum(heights) + 0.6)
    rows = fig.subfigures(n + 1, 1, height_ratios=heights)
    for number, (row, record) in enumerate(zip(rows[:-1], weighted, strict=True), start=1):
        if record.output.ndim == 4:
            filter_row(row, record, number)
        else:
            dense_row(row, record, number)
    bottom = rows[-1]
    grid = bottom.add_gridspec(1, 3)
    loss_ax = bottom.add_subplot(grid[0, 0])
    loss_ax.bar(["before", "after"], [trace.loss_before, trace.loss_after], color=["#7f7f7f", "#2ca02c"])
    loss_ax.set(
        ylabel="loss on this digit",
        ylim=(0, 1.25 * max(trace.loss_before, trace.loss_after, 1e-6)),
        title="loss $-\\log p_y$ before and after the step",
    )
    for k, value in enumerate([trace.loss_before, trace.loss_after]):
        loss_ax.text(k, value, f"{value:.4f}", ha="center", va="bottom", fontsize=9)
    prob_ax = bottom.add_subplot(grid[0, 1])
    width = 0.4
    digits = np.arange(len(trace.P))
    prob_ax.bar(digits - width / 2, trace.P, width, label="before", color="#7f7f7f")
    prob_ax.bar(digits + width / 2, trace.P_after, width, label="after", color="#2ca02c")
    prob_ax.set(xticks=digits, xlabel="digit", ylabel="probability", title="softmax output before and after")
    prob_ax.legend()
    text_ax = bottom.add_subplot(grid[0, 2])
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


def dense_row(row, record: LayerRecord, number: int) -> None:
    """W before | change | W after of a dense layer, W : (D_in, D_out) drawn transposed."""
    W = record.params["W"]
    limit = symmetric_limit(W.before, W.after)
    change_limit = symmetric_limit(W.change)
    d_in, d_out = W.before.shape
    panels = [
        (W.before.T, limit, f"layer {number}: W before, ({d_in}, {d_out}) drawn transposed"),
        (W.change.T, change_limit, f"change $\\Delta W$ (scale $\\pm${change_limit:.1e})"),
        (W.after.T, limit, "W after = W before + $\\Delta W$"),
    ]
    axes = row.subplots(1, 3)
    for ax, (image, scale, title) in zip(axes, panels, strict=True):
        shown = show_signed(ax, image, scale, title, aspect="auto")
        ax.set_ylabel(f"{d_out} units")
        ax.set_xlabel(f"{d_in} inputs")
        row.colorbar(shown, ax=ax, shrink=0.9)


def filter_row(row, record: LayerRecord, number: int) -> None:
    """Filters before, their change and after: columns are filters, rows the three stages."""
    W = record.params["W"]  # (F, C, k, k)
    change = W.change
    filters = strongest(change, FILTERS_SHOWN)
    slices = [int(np.argmax(np.linalg.norm(change[f].reshape(change.shape[1], -1), axis=1))) for f in filters]
    before = [W.before[f, c] for f, c in zip(filters, slices, strict=True)]
    after = [W.after[f, c] for f, c in zip(filters, slices, strict=True)]
    changes = [change[f, c] for f, c in zip(filters, slices, strict=True)]
    limit, change_limit = symmetric_limit(*before, *after), symmetric_limit(*changes)
    axes = row.subplots(3, len(filters), squeeze=False)
    stages = [("before", before, limit), ("change", changes, change_limit), ("after", after, limit)]
    for r, (name, images, scale) in enumerate(stages):
        for k, image in enumerate(images):
            shown = show_signed(axes[r, k], image, scale)
            if r == 0:
                where = f"filter {filters[k]}" if W.before.shape[1] == 1 else f"filter {filters[k]}, map {slices[k]}"
                axes[r, k].set_title(where, fontsize=9)
        axes[r, 0].set_ylabel(name)
        row.colorbar(shown, ax=axes[r, :].tolist(), shrink=0.9, label=f"$\\pm${scale:.1e}" if name == "change" else "W")
    F, C, k, _ = W.before.shape
    row.suptitle(
        f"layer {number}: {F} filters of {C} x {k} x {k}; "
        + which(filters, F, "the ones the step changed most", "filters")
        + ": before, the change $\\Delta W$ (its own scale), after",
        fontsize=10,
    )
