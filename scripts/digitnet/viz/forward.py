"""Forward propagation of one digit: what each layer computes from the one before."""

import numpy as np
from matplotlib.figure import Figure

from digitnet.trace import LayerRecord, StepTrace
from digitnet.viz.style import (
    as_grid,
    new_figure,
    probability_bars,
    show_digit,
    show_maps,
    show_signed,
    strongest,
    symmetric_limit,
    which,
)

MAPS_SHOWN = 6  # feature maps drawn per convolution layer (the preset has 32 and 64)


def shape_text(array: np.ndarray) -> str:
    """The shape of an array as Python writes it: '(1, 32, 28, 28)'."""
    return "(" + ", ".join(str(d) for d in array.shape) + ")"


def forward_figure(trace: StepTrace) -> Figure:
    """The input, then every stage of the network left to right, then the softmax output.

    A convolution shows its feature maps after its activation (the MAPS_SHOWN strongest for
    this digit, named by number), and the pooling after it the same maps, smaller; Flatten
    shows the vector the dense layers read; a dense hidden layer shows Z = X W + b (top) and
    A = f(Z) (bottom) as a grid of units (128 units -> 8 x 16); the output layer its logits
    and the probabilities softmax makes of them. Red is positive, blue negative, white zero.
    Which stages appear follows the trace, layer by layer: nothing is assumed of the network.
    """
    stages = []  # (width in inches, draw(subfigure))
    number = {record.position: i for i, record in enumerate(trace.weighted, start=1)}
    channels = None
    for record in trace.layers:
        if record.params and record.output.ndim == 4:
            shown = (trace.activation_of(record) or record).output[0]
            channels = strongest(shown, MAPS_SHOWN)
            stages.append((2.8, conv_stage(trace, record, number[record.position], channels)))
        elif record.role == "pool" and channels is not None:
            stages.append((2.4, pool_stage(record, channels)))
        elif record.type == "flatten":
            stages.append((2.5, flatten_stage(record)))
        elif record.params and record is not trace.weighted[-1]:
            stages.append((3.2, dense_stage(trace, record, number[record.position])))
    widths = [2.8] + [width for width, _ in stages] + [5.6]
    fig = new_figure(sum(widths), 6.6)
    panels = fig.subfigures(1, len(widths), width_ratios=widths)
    input_stage(panels[0], trace)
    for panel, (_, draw) in zip(panels[1:-1], stages, strict=True):
        draw(panel)
    output_stage(panels[-1], trace, number[trace.weighted[-1].position])
    fig.suptitle(
        f"Forward propagation of one test digit: the network answers {trace.predicted} "
        f"with probability {trace.P[trace.predicted]:.1%} (true digit {trace.label})"
    )
    return fig


def input_stage(panel, trace: StepTrace) -> None:
    """The input digit, with the shape it is read in."""
    ax = panel.subplots()
    first = trace.layers[0]
    read_as = f"\nread as an image {shape_text(first.output)}" if first.role == "reshape" else ""
    show_digit(ax, trace.x, f"input X: test digit #{trace.index}\n(1, {trace.x.size}), shown as 28 x 28{read_as}", fontsize=10)


def conv_stage(trace: StepTrace, record: LayerRecord, i: int, channels: np.ndarray):
    """A convolution's chosen maps after its activation (A : (F, H', W')), named by number."""
    activation = trace.activation_of(record)
    maps = (activation or record).output[0]
    after = f"$A_{i} = {activation.type}(Z_{i})$" if activation else f"$Z_{i}$, no activation"
    F, C, k, _ = record.params["W"].before.shape
    title = f"layer {i}: {F} filters of {C} x {k} x {k}\n{after}, {shape_text(record.output)}\n" + which(
        channels, F, "the strongest here"
    )
    return lambda panel: show_maps(panel, maps, channels, title, "A" if activation else "Z")


def pool_stage(record: LayerRecord, channels: np.ndarray):
    """A pooling layer's output for the same channels as the convolution before it."""
    title = f"{record.layer().label()}\n{shape_text(record.input)} -> {shape_text(record.output)}\nthe same maps"
    return lambda panel: show_maps(panel, record.output[0], channels, title, "max")


def flatten_stage(record: LayerRecord):
    """The flattened vector (1, C H W) that the dense layers read, as a grid."""

    def draw(panel) -> None:
        ax = panel.subplots()
        image = show_signed(ax, as_grid(record.output), symmetric_limit(record.output))
        ax.set_title(
            f"flatten: {shape_text(record.input)}\n-> {shape_text(record.output)}, the vector\nthe dense layers read", fontsize=10
        )
        panel.colorbar(image, ax=ax, shrink=0.6)

    return draw


def dense_stage(trace: StepTrace, record: LayerRecord, i: int):
    """A hidden dense layer: Z = X W + b (top) and A = f(Z) (bottom), as grids of units."""

    def draw(panel) -> None:
        d_in, d_out = record.params["W"].before.shape
        z_ax, a_ax = panel.subplots(2, 1)
        limit = symmetric_limit(record.output)
        image = show_signed(z_ax, as_grid(record.output), limit)
        z_ax.set_title(f"layer {i}: $Z_{i} = X W_{i} + b_{i}$\n(1, {d_in}) @ ({d_in}, {d_out}) + ({d_out},)", fontsize=10)
        panel.colorbar(image, ax=z_ax, shrink=0.8, label="Z")
        activation = trace.activation_of(record)
        if activation is None:
            a_ax.axis("off")
            return
        image = show_signed(a_ax, as_grid(activation.output), symmetric_limit(activation.output))
        positive = int((activation.output > 0).sum())
        a_ax.set_title(f"$A_{i} = {activation.type}(Z_{i})$: {positive} of {d_out} above 0", fontsize=10)
        panel.colorbar(image, ax=a_ax, shrink=0.8, label="A")

    return draw


def output_stage(panel, trace: StepTrace, i: int) -> None:
    """The output layer's logits z : (K,) and softmax probabilities p : (K,)."""
    output = trace.weighted[-1]
    d_in, d_out = output.params["W"].before.shape
    logits_ax, prob_ax = panel.subplots(2, 1)
    logits = trace.logits[0]
    logits_ax.bar(range(d_out), logits, color=["#2ca02c" if k == trace.label else "#7f7f7f" for k in range(d_out)])
    logits_ax.axhline(0, color="black", lw=0.6)
    logits_ax.set(
        xticks=range(d_out),
        xlabel="digit",
        ylabel="logit z",
        title=f"output layer {i}: $z = X W + b$, (1, {d_in}) @ ({d_in}, {d_out}) + ({d_out},)",
    )
    probability_bars(
        prob_ax, trace.P, trace.label, f"softmax: $p_k = e^{{z_k}} / \\sum_j e^{{z_j}}$; true digit {trace.label} in green"
    )
