"""The architecture: every layer with its size, activation, weight shapes and parameter count."""

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle

from digitnet.model import Sequential
from digitnet.viz.style import new_figure, sample_units

MAX_DRAWN = 12  # neurons drawn per layer; wider layers show a sample and a gap


def layer_columns(model: Sequential) -> list[dict]:
    """Columns to draw: the input, then one per layer with weights or pooling.

    Each column: size (units, or channels for feature maps), whether it holds feature maps,
    a title, label lines (operation and activation, parameter shapes, output shape, parameter
    count) and its parameter count; all read from the layers' own descriptions and shapes.
    """
    shapes = model.shapes()
    size = int(np.prod(shapes[0]))
    first = model.layers[0]
    if first.role == "reshape":  # a row of pixels read as an image: say its size
        drawn_as = " x ".join(str(n) for n in first.output_shape(shapes[0])[-2:]) + " pixels, flattened"
    else:
        drawn_as = "pixels in one row"
    columns: list[dict] = [{"size": size, "maps": False, "params": 0, "title": "input", "lines": [f"{size:,} numbers", drawn_as]}]
    weighted = [position for position, layer in enumerate(model.layers) if layer.role == "weights"]
    for position, layer in enumerate(model.layers):
        if layer.role not in ("weights", "pool"):
            continue
        out = shapes[position + 1]
        maps = len(out) == 3
        activation = model.activation_after(position)
        is_output = position == weighted[-1]
        then = "softmax (in the loss)" if is_output else (activation.type.replace("_", " ") if activation else "no activation")
        lines = [layer.summary()] + ([f"then {then}"] if layer.role == "weights" else [])
        lines += [f"{p.name.rsplit('.', 1)[-1]}: {tuple(p.value.shape)}" for p in layer.parameters()]
        lines += [
            f"out: {' x '.join(str(n) for n in out)}",
            f"{layer.n_parameters():,} parameters" if layer.parameters() else "no parameters",
        ]
        title = "output" if is_output else layer.label()
        columns.append({"size": out[0], "maps": maps, "params": layer.n_parameters(), "title": title, "lines": lines})
    hidden = 0
    for column in columns:
        if column["title"] == "dense":
            hidden += 1
            column["title"] = f"hidden {hidden}"
    return columns


def architecture_figure(model: Sequential) -> Figure:
    """Draw the network as columns of neurons joined by their weights, for any number of layers
    (convolution and pooling layers as stacks of feature maps).

    A layer wider than MAX_DRAWN neurons shows an evenly spread sample with a gap marked by dots.
    """
    columns = layer_columns(model)
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
    total = model.n_parameters()
    sizes = "-".join(str(c["size"]) for c in columns if not c["maps"]) if not any(c["maps"] for c in columns) else "convolutional"
    fig.suptitle(f"Architecture: a {sizes} network with {total:,} trainable parameters; every line is one weight")
    return fig
