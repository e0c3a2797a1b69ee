"""The architecture: every layer with its size, activation, weight shapes and parameter count."""

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle

from digitnet.viz.style import new_figure, sample_units

MAX_DRAWN = 12  # neurons drawn per layer; wider layers show a sample and a gap


def layer_columns(spec: list[dict]) -> list[dict]:
    """Columns to draw from the model's layer list: the input, then one per conv, pool or dense layer.

    Each column: size (units, or channels for feature maps), shape of its output, whether it
    holds feature maps, and label lines (operation, weight shapes, parameter count).
    """
    columns: list[dict] = []
    shape: tuple[int, ...] = ()
    for position, entry in enumerate(spec):
        kind = entry["type"]
        following = spec[position + 1]["type"] if position + 1 < len(spec) else "none"
        if position == 0:
            n_in = entry["in"] if kind == "dense" else 784
            columns.append({"size": n_in, "maps": False, "title": "input", "lines": ["28 x 28 pixels", "flattened"]})
            shape = (1, 28, 28) if kind != "dense" else (n_in,)
        if kind == "conv2d":
            F, k, s, p = entry["filters"], entry["kernel"], entry["stride"], entry["padding"]
            shape = (F, (shape[1] + 2 * p - k) // s + 1, (shape[2] + 2 * p - k) // s + 1)
            n_params = F * entry["in_channels"] * k * k + F
            act = following.replace("_", " ") if following in ("relu", "leaky_relu", "sigmoid", "tanh") else "none"
            columns.append(
                {
                    "size": F,
                    "maps": True,
                    "title": f"conv {k}x{k}",
                    "lines": [
                        f"{F} filters, then {act}",
                        f"W: ({F}, {entry['in_channels']}, {k}, {k})",
                        f"out: {F} x {shape[1]} x {shape[2]}",
                        f"{n_params:,} parameters",
                    ],
                }
            )
        elif kind == "maxpool2d":
            size, stride = entry["size"], entry["stride"]
            shape = (shape[0], (shape[1] - size) // stride + 1, (shape[2] - size) // stride + 1)
            columns.append(
                {
                    "size": shape[0],
                    "maps": True,
                    "title": f"max pool {size}x{size}",
                    "lines": [f"out: {shape[0]} x {shape[1]} x {shape[2]}", "no parameters"],
                }
            )
        elif kind == "dense":
            is_output = all(later["type"] != "dense" for later in spec[position + 1 :])
            activation = "softmax (in the loss)" if is_output else following.replace("_", " ")
            n_params = entry["in"] * entry["out"] + entry["out"]
            columns.append(
                {
                    "size": entry["out"],
                    "maps": False,
                    "params": n_params,
                    "title": "output" if is_output else "dense",
                    "lines": [
                        f"Z = A W + b, then {activation}",
                        f"W: ({entry['in']}, {entry['out']})",
                        f"b: ({entry['out']},)",
                        f"{n_params:,} parameters",
                    ],
                }
            )
    hidden = 0
    for column in columns:
        if column["title"] == "dense":
            hidden += 1
            column["title"] = f"hidden {hidden}"
    return columns


def architecture_figure(spec: list[dict]) -> Figure:
    """Draw the network as columns of neurons joined by their weights, for any number of layers
    (convolution and pooling layers as stacks of feature maps).

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
        if column["maps"]:
            # Feature maps: a stack of squares, one per channel (up to 8 drawn).
            for k in range(min(column["size"], 8)):
                ax.add_patch(
                    Rectangle(
                        (x - 0.22 + 0.03 * k, 0.3 + 0.03 * k), 0.3, 0.4, facecolor="#cfe0f5", edgecolor="#1f5fbf", lw=1, zorder=3
                    )
                )
            positions.append((x, np.array([0.5])))
            ax.text(x, 1.04, f"{column['title']}: {column['size']} maps", ha="center", fontsize=11, weight="bold")
            ax.text(x, -0.1, "\n".join(column["lines"]), ha="center", va="top", fontsize=9, linespacing=1.4)
            continue
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
    total = sum(column.get("params", 0) for column in columns)
    sizes = "-".join(str(c["size"]) for c in columns if not c["maps"]) if not any(c["maps"] for c in columns) else "convolutional"
    fig.suptitle(f"Architecture: a {sizes} network with {total:,} trainable parameters; every line is one weight")
    return fig
