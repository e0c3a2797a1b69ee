"""The model comparison: test error of each compared model, and what its training cost."""

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from digitnet.viz.style import new_figure

# One colour per data set, so a model's bars and points on different data read apart.
DATASET_COLORS = {"mnist": "#1f77b4", "fashion-mnist": "#ff7f0e"}


def comparison_figure(rows: list[dict]) -> Figure:
    """Left: test error per model as bars; right: test error against training seconds.

    rows: the comparison table, one dict per (dataset, model) with test_accuracy and
    train_seconds. Error (1 - accuracy) on a log scale keeps 0.5% and 1.8% as far apart
    as they matter: the second network makes over three times as many mistakes.
    """
    fig = new_figure(11, max(3.2, 1.6 + 0.45 * len(rows)))
    bars_ax, cost_ax = fig.subplots(1, 2, width_ratios=[1.1, 1])
    labels = [f"{row['model']} ({row['dataset']})" for row in rows]
    errors = [100 * (1 - row["test_accuracy"]) for row in rows]
    colors = [DATASET_COLORS.get(row["dataset"], "gray") for row in rows]
    positions = range(len(rows))[::-1]  # the first row on top, as in the table
    bars_ax.barh(list(positions), errors, color=colors)
    for y, error in zip(positions, errors, strict=True):
        bars_ax.text(error, y, f" {error:.2f}%", va="center", fontsize=9)
    bars_ax.set_yticks(list(positions), labels)
    bars_ax.set_xlim(0, 1.25 * max(errors, default=1))
    bars_ax.set(title="Test error (share of test images misread)", xlabel="test error (%)")

    for row, label, error, color in zip(rows, labels, errors, colors, strict=True):
        cost_ax.scatter(row["train_seconds"], error, color=color, s=40)
        cost_ax.annotate(label, (row["train_seconds"], error), xytext=(5, 3), textcoords="offset points", fontsize=8)
    seconds = [row["train_seconds"] for row in rows]
    cost_ax.set_xscale("log")
    cost_ax.set_yscale("log")
    for axis, values in ((cost_ax.xaxis, seconds), (cost_ax.yaxis, errors)):
        # Ticks at 1, 2, 5, 10, ... written as plain numbers (at powers of 10 alone over a
        # wide range, where 500, 1000 and 2000 would run into each other).
        decades = np.log10(max(values, default=1) / max(min(values, default=1), 1e-9))
        axis.set_major_locator(LogLocator(subs=(1, 2, 5) if decades < 1.5 else (1,)))
        axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        axis.set_minor_formatter(NullFormatter())
    cost_ax.set_xlim(min(seconds, default=1) / 2, max(seconds, default=1) * 4)
    cost_ax.set_ylim(min(errors, default=1) / 2, max(errors, default=1) * 2)
    cost_ax.set(
        title="Test error against training time", xlabel="training seconds (log scale)", ylabel="test error (%, log scale)"
    )
    cost_ax.grid(True, which="both", alpha=0.3)
    return fig
