"""The architecture: every layer with its size, activation, weight shapes and parameter count."""

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from digitnet.viz.style import new_figure, sample_units

MAX_DRAWN = 12  # neurons drawn per layer; wider layers show a sample and a gap


def layer_columns(spec: list[dict]) -> list[dict]:
    """Columns to draw from the model's layer list: the input, then one per dense layer.

    Each column: size, label lines (activation, W and b shapes, parameter count).
    """
    dense_positions = [i for i, layer in enumerate(spec) if layer["type"] == "dense"]
    columns = [{"size": spec[0]["in"], "title": "input", "lines": ["28 x 28 pixels", "flattened"]}]
    for i, position in enumerate(dense_positions):
        layer = spec[position]
        is_output = i == len(dense_positions) - 1
        following = spec[position + 1]["type"] if position + 1 < len(spec) else "none"
        activation = "softmax (in the loss)" if is_output else following.replace("_", " ")
        n_params = layer["in"] * layer["out"] + layer["out"]
        columns.append(
            {
                "size": layer["out"],
                "title": "output" if is_output else f"hidden {i + 1}",
                "lines": [
                    f"Z = A W + b, then {activation}",
                    f"W: ({layer['in']}, {layer['out']})",
                    f"b: ({layer['out']},)",
                    f"{n_params:,} parameters",
                ],
            }
        )
    return columns


def architecture_figure(spec: list[dict]) -> Figure:
    """Draw the network as columns of neurons joined by their weights, for any number of layers.

    spec: the model's layer list (``Sequential.spec()``). A layer wider than MAX_DRAWN
    neurons shows an evenly spread sample with a gap marked by dots.
    """
    columns = layer_columns(spec)
    fig = new_figure(3.0 * len(columns) + 1, 5.4)
    ax = fig.subplots()
    ax.set_xlim(-0.7, len(columns) - 0.3)
    ax.set_ylim(-0.42, 1.08)
    ax.axis("off")
    positions = []
    for x, column in enumerate(columns):
        drawn = sample_units(column["size"], MAX_DRAWN)
        ys = np.linspace(0.95, 0.05, len(drawn)) if len(drawn) > 1 else np.array([0.5])
        positions.append((x, ys))
        for unit, y in zip(drawn, ys, strict=True):
            ax.add_patch(Circle((x, y), 0.028, facecolor="#cfe0f5", edgecolor="#1f5fbf", lw=1, zorder=3))
            if column["size"] <= 10 and x == len(columns) - 1:
                ax.text(x + 0.06, y, f"digit {unit}", va="center", fontsize=9)
        if column["size"] > MAX_DRAWN:
            ax.text(x, -0.02, f"({MAX_DRAWN} of {column['size']} drawn)", ha="center", va="top", fontsize=8, color="#555")
        ax.text(x, 1.04, f"{column['title']}: {column['size']:,}", ha="center", fontsize=11, weight="bold")
        ax.text(x, -0.1, "\n".join(column["lines"]), ha="center", va="top", fontsize=9, linespacing=1.4)
    segments = [
        [(x0, y0), (x1, y1)]
        for (x0, ys0), (x1, ys1) in zip(positions[:-1], positions[1:], strict=True)
        for y0 in ys0
        for y1 in ys1
    ]
    ax.add_collection(LineCollection(segments, colors="#9aa7b8", linewidths=0.4, alpha=0.6, zorder=1))
    total = sum(c["size"] * n + n for c, n in zip(columns[:-1], [c["size"] for c in columns[1:]], strict=True))
    sizes = "-".join(str(c["size"]) for c in columns)
    fig.suptitle(f"Architecture: a {sizes} network with {total:,} trainable parameters; every line is one weight")
    return fig
