"""One training step in words: the text companion of the forward, backward and update figures.

``explain_step(trace)`` writes Markdown, stage by stage, with each formula, the shapes and
a few real values, all read from the same StepTrace the figures draw.
"""

import numpy as np

from digitnet.trace import StepTrace, first_step_change, first_step_rule


def values(array: np.ndarray, count: int = 5) -> str:
    """The first ``count`` values of a flattened array, 4 significant digits: '[0.1234, -0.5, ...]'."""
    flat = np.ravel(array)
    shown = ", ".join(f"{v:.4g}" for v in flat[:count])
    return f"[{shown}{', ...' if flat.size > count else ''}]"


def shape(array: np.ndarray) -> str:
    return "(" + ", ".join(str(d) for d in array.shape) + ("," if array.ndim == 1 else "") + ")"


def example_weight(trace: StepTrace) -> tuple[int, int, int]:
    """(layer, row, column) of the output layer's weight with the largest gradient: a visible example."""
    layer = len(trace.layers) - 1
    row, column = np.unravel_index(np.argmax(np.abs(trace.layers[layer].dW)), trace.layers[layer].dW.shape)
    return layer, int(row), int(column)


def explain_step(trace: StepTrace) -> str:
    """Markdown explaining the traced step: input, each layer's Z and A, softmax, loss,
    dL/dZ, dW, db and the update W <- W - lr * dW, with real values."""
    lines = [
        "# One training step, by the numbers",
        "",
        f"Test digit #{trace.index} is a **{trace.label}**. Here is what the network computes for it,",
        "forward, backward and in the update, with real values from the trained network.",
        "Shapes are (rows, columns); a batch of one digit has N = 1 row.",
        "",
        "## 1. Input",
        "",
        f"`X` {shape(trace.layers[0].X)}: the 28 x 28 pixels in one row, scaled to [0, 1]. "
        f"{int((trace.x > 0).sum())} of 784 pixels carry ink; the brightest is {trace.x.max():.3g}.",
        "",
    ]
    section = 2
    for i, step in enumerate(trace.layers, start=1):
        W, b = step.W_before, step.b_before
        is_output = i == len(trace.layers)
        title = "Output layer: the logits" if is_output else f"Layer {i}: weighted sums, then {step.activation}"
        lines += [
            f"## {section}. {title}",
            "",
            f"`Z{i} = A{i - 1} @ W{i} + b{i}`: {shape(step.X)} @ {shape(W)} + {shape(b)} -> {shape(step.Z)}.",
            f"Each of the {W.shape[1]} units adds up its {W.shape[0]} inputs, each times its own weight, plus a bias.",
            "",
            f"`Z{i}[0, :5]` = {values(step.Z)}",
            "",
        ]
        if not is_output:
            active = int((step.A > 0).sum())
            lines += [
                f"`A{i} = {step.activation}(Z{i})` {shape(step.A)}: {active} of {step.A.size} units are active (A > 0).",
                "",
                f"`A{i}[0, :5]` = {values(step.A)}",
                "",
            ]
        section += 1
    P = trace.P
    lines += [
        f"## {section}. Softmax: from logits to probabilities",
        "",
        "`p_k = exp(z_k) / sum_j exp(z_j)`: positive, summing to 1. (The largest logit is subtracted first, so exp cannot overflow.)",
        "",
        "| digit | " + " | ".join(str(k) for k in range(len(P))) + " |",
        "|---|" + "---|" * len(P),
        "| p | " + " | ".join(f"{p:.4f}" for p in P) + " |",
        "",
        f"The network answers **{trace.predicted}** with probability {P[trace.predicted]:.4f}.",
        "",
        f"## {section + 1}. Loss",
        "",
        f"Cross-entropy: `L = -log p_y = -log({P[trace.label]:.4f}) = {trace.loss_before:.4f}`. "
        "It is 0 for a certain, correct answer and grows without bound as p_y goes to 0.",
        "",
        f"## {section + 2}. Backward: the error at the output",
        "",
        "Softmax and cross-entropy together have the simplest gradient: `dL/dz = (p - onehot(y)) / N`.",
        "",
        f"`dL/dz` = {values(trace.layers[-1].dZ, 10)}",
        "",
        f"Only the true digit's entry is negative (p_{trace.label} - 1): the step will raise its score and lower the others.",
        "",
    ]
    section += 3
    for i in range(len(trace.layers), 0, -1):
        step = trace.layers[i - 1]
        lines += [
            f"## {section}. Backward through layer {i}",
            "",
            f"`dW{i} = A{i - 1}^T @ dZ{i} + l2 * W{i}`: {shape(step.X.T)} @ {shape(step.dZ)} -> {shape(step.dW)}; "
            f"`db{i} = sum over the batch of dZ{i}` -> {shape(step.db)}.",
            "",
            f"`db{i}[:5]` = {values(step.db)}; `||dW{i}||` = {np.linalg.norm(step.dW):.4g}",
            "",
        ]
        if i > 1:
            below = trace.layers[i - 2]
            lines += [
                f"The gradient flows on to the layer below: `dA{i - 1} = dZ{i} @ W{i}^T` {shape(below.dA)}, then "
                f"`dZ{i - 1} = dA{i - 1} * f'(Z{i - 1})`: for ReLU, 1 where the unit was active, 0 where it was not.",
                "",
                f"`dZ{i - 1}[0, :5]` = {values(below.dZ)}",
                "",
            ]
        section += 1
    layer, row, column = example_weight(trace)
    step = trace.layers[layer]
    before, gradient, after = step.W_before[row, column], step.dW[row, column], step.W_after[row, column]
    expected = before + first_step_change(trace.optimizer, trace.lr, np.array(gradient))
    lines += [
        f"## {section}. The update",
        "",
        f"{first_step_rule(trace.optimizer)}, with lr = {trace.lr:g} (weight decay l2 = {trace.l2:g} is already in dW).",
        "",
        f"For example, weight `W{layer + 1}[{row}, {column}]`, the one with the largest gradient in the output layer:",
        "",
        f"- before: {before:.6f}",
        f"- gradient dW: {gradient:.6f}",
        f"- after, by the rule: {float(expected):.6f}",
        f"- after, as the optimizer changed it: {after:.6f}",
        "",
        f"Loss on this digit: {trace.loss_before:.4f} before the step, {trace.loss_after:.4f} after; "
        f"p_{trace.label} went from {trace.P[trace.label]:.4f} to {trace.P_after[trace.label]:.4f}.",
        "",
        "Training repeats this for a batch of digits at once (the gradients are averaged over the batch), "
        "hundreds of times per pass over the data.",
        "",
    ]
    return "\n".join(lines)
