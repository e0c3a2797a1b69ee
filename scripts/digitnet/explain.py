"""One training step in words: the text companion of the forward, backward and update figures.

``explain_step(trace)`` writes Markdown, layer by layer, with each formula, the shapes and
a few real values, all read from the same StepTrace the figures draw. What a layer does,
and what its activation's derivative does to the gradient, come from the layer classes'
own descriptions (digitnet.nn), so the text names the activation actually used.
"""

import math

import numpy as np

from digitnet.trace import LayerRecord, StepTrace, first_step_change, first_step_rule


def values(array: np.ndarray, count: int = 5) -> str:
    """The first ``count`` values of a flattened array, 4 significant digits: '[0.1234, -0.5, ...]'."""
    flat = np.ravel(array)
    shown = ", ".join(f"{v + 0.0:.4g}" for v in flat[:count])  # + 0.0 prints -0.0 as 0
    return f"[{shown}{', ...' if flat.size > count else ''}]"


def shape(array: np.ndarray) -> str:
    """The shape of an array as Python writes it: '(1, 784)', '(10,)'."""
    return "(" + ", ".join(str(d) for d in array.shape) + ("," if array.ndim == 1 else "") + ")"


def table(matrix: np.ndarray, corner: str) -> list[str]:
    """A small matrix (k, k) as a Markdown table, rows u and columns v, 4 significant digits."""
    rows, cols = matrix.shape
    lines = [f"| {corner} | " + " | ".join(f"v={v}" for v in range(cols)) + " |", "|---|" + "---|" * cols]
    lines += [f"| u={u} | " + " | ".join(f"{x:.4g}" for x in matrix[u]) + " |" for u in range(rows)]
    return [*lines, ""]


def example_weight(trace: StepTrace) -> tuple[LayerRecord, int, int]:
    """(output layer's record, row, column) of its weight with the largest gradient: a visible example."""
    output = trace.weighted[-1]
    dW = output.params["W"].grad
    row, column = np.unravel_index(np.argmax(np.abs(dW)), dW.shape)
    return output, int(row), int(column)


def example_filter(record: LayerRecord) -> tuple[int, int]:
    """(filter, input channel) of a convolution's record with the largest weight gradient: the
    filter whose dW[f] has the largest norm, and its slice c with the largest norm."""
    dW = record.params["W"].grad  # (F, C, k, k)
    f = int(np.argmax(np.linalg.norm(dW.reshape(len(dW), -1), axis=1)))
    c = int(np.argmax(np.linalg.norm(dW[f].reshape(dW.shape[1], -1), axis=1)))
    return f, c


def padded_input(record: LayerRecord) -> np.ndarray:
    """A convolution's input (1, C, H, W), zero-padded by its padding on each side."""
    p = record.spec["padding"]
    return np.pad(record.input, ((0, 0), (0, 0), (p, p), (p, p)))


def conv_patch(record: LayerRecord, i: int, j: int) -> np.ndarray:
    """The patch (C, k, k) of the padded input that output position (i, j) reads."""
    k, s = record.spec["kernel"], record.spec["stride"]
    return padded_input(record)[0, :, i * s : i * s + k, j * s : j * s + k]


def explain_step(trace: StepTrace) -> str:
    """Markdown explaining the traced step: the input, every layer's forward computation, softmax,
    the loss, the backward pass through every layer and the update, with real values."""
    lesson = Lesson(trace)
    lesson.intro()
    lesson.forward()
    lesson.output_and_loss()
    lesson.backward()
    lesson.update()
    return "\n".join(lesson.lines)


class Lesson:
    """The text of explain.md, built section by section from one StepTrace.

    Layers with weights are numbered 1, 2, ... (Z_i, W_i, b_i, and A_i after the activation);
    pooling, flattening and dropout are named for what they do.
    """

    def __init__(self, trace: StepTrace) -> None:
        self.trace = trace
        self.lines: list[str] = []
        self.section = 0
        self.number = {record.position: i for i, record in enumerate(trace.weighted, start=1)}

    def heading(self, title: str) -> None:
        """Start the next numbered section."""
        self.section += 1
        self.lines += [f"## {self.section}. {title}", ""]

    def add(self, *paragraphs: str) -> None:
        """Add paragraphs, each followed by a blank line."""
        for paragraph in paragraphs:
            self.lines += [paragraph, ""]

    def intro(self) -> None:
        """The title, the digit and the input X : (1, D), and the image the first reshape makes of it."""
        trace = self.trace
        self.lines += [
            "# One training step, by the numbers",
            "",
            f"Test digit #{trace.index} is a **{trace.label}**. Here is what the network computes for it,",
            "forward, backward and in the update, with real values from the trained network.",
            "Shapes list the batch first; a batch of one digit has N = 1.",
            "",
        ]
        self.heading("Input")
        n = trace.x.size
        side = math.isqrt(n)
        grid = f"{side} x {side} " if side * side == n else ""
        self.add(
            f"`X` (1, {n}): the {grid}pixels of the image in one row, scaled to [0, 1]. "
            f"{int((trace.x > 0).sum())} of {n} pixels carry ink; the brightest is {trace.x.max():.3g}."
        )
        first = trace.layers[0]
        if first.role == "reshape":
            self.add(
                f"The first layer reads the row as an image again: {shape(first.input)} -> {shape(first.output)} "
                "(batch, channels, rows, columns), the form a convolution slides its filters over."
            )

    # The forward pass

    def forward(self) -> None:
        trace = self.trace
        for record in trace.layers:
            if record.position == 0 and record.role == "reshape":
                continue
            if record.params:
                self.forward_weights(record)
            elif record.role == "activation":
                before = trace.layers[record.position - 1] if record.position else None
                if before is None or not before.params:
                    self.heading(f"{record.type} on its own")
                    self.activation_forward(record, "X", "A")
            else:
                self.forward_other(record)

    def forward_weights(self, record: LayerRecord) -> None:
        """A layer with weights: Z = X W + b (dense) or conv(X, W) + b, a worked example, then its activation."""
        i = self.number[record.position]
        layer = record.layer()
        is_output = record is self.trace.weighted[-1]
        kind = "convolution" if record.output.ndim == 4 else "weighted sums"
        then = f", then {record.activation}" if record.activation else ""
        self.heading("Output layer: the logits" if is_output else f"Layer {i}: {kind}{then}")
        W, b = record.params["W"].before, record.params["b"].before
        if record.output.ndim == 4:
            self.add(
                f"`Z{i} = conv(X, W{i}) + b{i}`: {shape(record.input)} with {shape(W)} filters + {shape(b)} "
                f"-> {shape(record.output)}. It {layer.words}; {layer.summary()}.",
                f"`{layer.formula}`",
            )
            self.conv_forward_example(record, i)
        else:
            self.add(
                f"`Z{i} = X @ W{i} + b{i}`: {shape(record.input)} @ {shape(W)} + {shape(b)} -> {shape(record.output)}. "
                f"Each of the {W.shape[1]} units adds up its {W.shape[0]} inputs, each times its own weight, plus a bias.",
                f"`Z{i}[0, :5]` = {values(record.output)}",
            )
            self.dense_forward_example(record, i)
        activation = self.trace.activation_of(record)
        if activation is not None:
            self.activation_forward(activation, f"Z{i}", f"A{i}")

    def dense_forward_example(self, record: LayerRecord, i: int) -> None:
        """One unit's Z[0, j] = sum_k X[0, k] W[k, j] + b[j], added up here and compared with the layer's."""
        X, W, b = record.input[0], record.params["W"].before, record.params["b"].before
        j = int(np.argmax(record.output[0]))
        total = float(np.dot(X.astype(np.float64), W[:, j]))
        self.add(
            f"Worked out for unit {j}, the largest: `Z{i}[0, {j}] = sum over k of X[0, k] * W{i}[k, {j}] + b{i}[{j}]` "
            f"= {total:.6f} + {b[j]:.6f} = {total + b[j]:.6f} (the layer computed {record.output[0, j]:.6f})."
        )

    def conv_forward_example(self, record: LayerRecord, i: int) -> None:
        """One output Z[0, f, y, x] = b[f] + sum_c,u,v W[f, c, u, v] Xpadded[c, y s + u, x s + v], worked out here."""
        f, c = example_filter(record)
        W, b = record.params["W"].before, record.params["b"].before
        Z = record.output[0, f]
        y, x = np.unravel_index(np.argmax(Z), Z.shape)
        patch = conv_patch(record, int(y), int(x))
        total = float(np.sum(W[f].astype(np.float64) * patch))
        channels = "its input" if W.shape[1] == 1 else f"all {W.shape[1]} input maps"
        self.add(
            f"Worked out for filter {f} (the one with the largest gradient) at its strongest position ({y}, {x}): "
            f"the {W.shape[2]} x {W.shape[3]} patch of {channels} under the filter, each value times the filter's "
            f"weight there, added up: `Z{i}[0, {f}, {y}, {x}]` = {total:.6f} + b{i}[{f}] ({b[f]:.6f}) = "
            f"{total + b[f]:.6f} (the layer computed {Z[y, x]:.6f})."
        )
        if W.shape[1] == 1:
            self.lines += [f"The patch it read (input map {c}):", "", *table(patch[c], "patch")]

    def activation_forward(self, record: LayerRecord, Z: str, A: str) -> None:
        """A = f(Z) with the activation's formula and words, and how many values are above 0."""
        layer = record.layer()
        positive = int((record.output > 0).sum())
        self.add(
            f"`{A} = {record.type}({Z})` {shape(record.output)}: `{layer.formula}`; it {layer.words}. "
            f"{positive} of {record.output.size} values are above 0; they range from {record.output.min():.4g} "
            f"to {record.output.max():.4g}.",
            f"`{A}` starts {values(record.output)}",
        )

    def forward_other(self, record: LayerRecord) -> None:
        """A layer without parameters that is not an activation after one: pooling, flattening, dropout ..."""
        layer = record.layer()
        label = layer.label()
        self.heading(label[0].upper() + label[1:])
        kept = f", {record.output.size} of {record.input.size} values kept" if record.role == "pool" else ""
        self.add(f"It {layer.words}: {shape(record.input)} -> {shape(record.output)}{kept}. `{layer.formula}`")
        if record.role == "dropout":
            self.add("This recorded step runs it as at test time: the output equals the input.")

    def output_and_loss(self) -> None:
        """Softmax p = exp(z) / sum exp(z) as a table, and the loss L = -log p_y."""
        trace, P = self.trace, self.trace.P
        self.heading("Softmax: from logits to probabilities")
        self.add(
            "`p_k = exp(z_k) / sum_j exp(z_j)`: positive, summing to 1. (The largest logit is subtracted first, so exp cannot overflow.)"
        )
        self.lines += [
            "| digit | " + " | ".join(str(k) for k in range(len(P))) + " |",
            "|---|" + "---|" * len(P),
            "| p | " + " | ".join(f"{p:.4f}" for p in P) + " |",
            "",
        ]
        self.add(f"The network answers **{trace.predicted}** with probability {P[trace.predicted]:.4f}.")
        self.heading("Loss")
        self.add(
            f"Cross-entropy: `L = -log p_y = -log({P[trace.label]:.4f}) = {trace.loss_before:.4f}`. "
            "It is 0 for a certain, correct answer and grows without bound as p_y goes to 0."
        )

    # The backward pass

    def backward(self) -> None:
        trace = self.trace
        self.heading("Backward: the error at the output")
        self.add(
            "Softmax and cross-entropy together have the simplest gradient: `dL/dz = (p - onehot(y)) / N`.",
            f"`dL/dz` = {values(trace.dlogits, 10)}",
            f"Only the true digit's entry is negative (p_{trace.label} - 1): the step will raise its score and lower the others.",
        )
        first_weights = trace.weighted[0].position
        for record in reversed(trace.layers):
            if record.position < first_weights:
                break  # nothing below the first layer with weights learns
            if record.params:
                self.backward_weights(record, passes_down=record.position > first_weights)
            elif record.role == "activation" and not trace.layers[record.position - 1].params:
                self.heading(f"Backward through {record.type}")
                self.activation_backward(record, "dX", "dA", "X")
            elif record.role != "activation":
                self.backward_other(record)

    def activation_backward(self, record: LayerRecord, dZ: str, dA: str, Z: str) -> None:
        """dZ = dA * f'(Z), with the derivative of the activation in use, in symbols and in words."""
        layer = record.layer()
        self.add(
            f"`{dZ} = {dA} * f'({Z})` {shape(record.d_input)}, the derivative of {record.type}: `{layer.derivative}`, "
            f"that is {layer.derivative_words}.",
            f"`{dZ}` starts {values(record.d_input)}",
        )

    def backward_weights(self, record: LayerRecord, passes_down: bool) -> None:
        """dW, db and the dX passed down, for a dense layer (X^T dZ) or a convolution (sum over positions)."""
        i = self.number[record.position]
        self.heading(f"Backward through layer {i}")
        activation = self.trace.activation_of(record)
        if activation is not None:
            self.activation_backward(activation, f"dZ{i}", f"dA{i}", f"Z{i}")
        dW, db = record.params["W"].grad, record.params["b"].grad
        if record.output.ndim == 4:
            self.add(
                f"`dW{i}[f, c, u, v] = sum over i, j of dZ{i}[f, i, j] * X[c, i*s + u, j*s + v] + l2 * W{i}[f, c, u, v]` "
                f"-> {shape(dW)}: each weight of a filter collects, over every position the filter visited, the error "
                f"there times the input value it read. `db{i}[f] = sum of dZ{i}[f]` -> {shape(db)}.",
                f"`db{i}[:5]` = {values(db)}; `||dW{i}||` = {np.linalg.norm(dW):.4g}",
            )
            if passes_down:
                self.add(
                    f"It passes `dX` {shape(record.d_input)} down: every input value collects dZ{i} times the weight of "
                    "each filter window that read it (a convolution of dZ with the filters turned by 180 degrees)."
                )
        else:
            self.add(
                f"`dW{i} = X^T @ dZ{i} + l2 * W{i}`: {shape(record.input.T)} @ {shape(record.d_output)} -> {shape(dW)}; "
                f"`db{i} = sum over the batch of dZ{i}` -> {shape(db)}.",
                f"`db{i}[:5]` = {values(db)}; `||dW{i}||` = {np.linalg.norm(dW):.4g}",
            )
            if passes_down:
                self.add(f"It passes `dX = dZ{i} @ W{i}^T` {shape(record.d_input)} down to the layer below.")

    def backward_other(self, record: LayerRecord) -> None:
        """A layer without parameters in the backward pass: what it does to the gradient, in its own words."""
        layer = record.layer()
        self.heading(f"Backward through {layer.label()}")
        nonzero = int((record.d_input != 0).sum())
        self.add(
            f"{layer.backward_words[0].upper() + layer.backward_words[1:]}: {shape(record.d_output)} -> {shape(record.d_input)}, "
            f"{nonzero} of {record.d_input.size} entries nonzero."
        )
        if record.role == "dropout":
            self.add("Dropout is off in this step, so the gradient passes unchanged.")

    # The update

    def update(self) -> None:
        """The optimizer's rule, one dense weight and one filter before, by the rule and after, and the loss after."""
        trace = self.trace
        self.heading("The update")
        self.add(f"{first_step_rule(trace.optimizer)}, with lr = {trace.lr:g} (weight decay l2 = {trace.l2:g} is already in dW).")
        record, row, column = example_weight(trace)
        W = record.params["W"]
        self.add(
            f"For example, weight `W{self.number[record.position]}[{row}, {column}]`, the one with the largest gradient in the output layer:"
        )
        self.worked_update(W.before[row, column], W.grad[row, column], W.after[row, column])
        convolutions = [r for r in trace.weighted if r.output.ndim == 4]
        if convolutions:
            self.filter_update(convolutions[0])
        self.add(
            f"Loss on this digit: {trace.loss_before:.4f} before the step, {trace.loss_after:.4f} after; "
            f"p_{trace.label} went from {trace.P[trace.label]:.4f} to {trace.P_after[trace.label]:.4f}.",
            "Training repeats this for a batch of digits at once (the gradients are averaged over the batch), "
            "hundreds of times per pass over the data.",
        )

    def worked_update(self, before: float, gradient: float, after: float) -> None:
        """before, dW, after by the first-step rule and after as the optimizer wrote it, for one weight."""
        trace = self.trace
        expected = before + first_step_change(trace.optimizer, trace.lr, np.array(gradient))
        self.lines += [
            f"- before: {before:.6f}",
            f"- gradient dW: {gradient:.6f}",
            f"- after, by the rule: {float(expected):.6f}",
            f"- after, as the optimizer changed it: {after:.6f}",
            "",
        ]

    def filter_update(self, record: LayerRecord) -> None:
        """One filter's k x k slice before, dW and change as tables, and its weight with the largest gradient worked out."""
        i = self.number[record.position]
        f, c = example_filter(record)
        W = record.params["W"]
        k = W.before.shape[2]
        where = "" if W.before.shape[1] == 1 else f", its slice for input map {c}"
        self.add(f"And one whole filter: filter {f} of layer {i}{where} ({k} x {k}), the one with the largest gradient.")
        self.lines += ["Before:", "", *table(W.before[f, c], "W"), "Its gradient dW:", "", *table(W.grad[f, c], "dW")]
        self.lines += ["The change the optimizer made:", "", *table(W.change[f, c], "change")]
        u, v = np.unravel_index(np.argmax(np.abs(W.grad[f, c])), (k, k))
        s, dZ = record.spec["stride"], record.d_output[0, f]  # (H', W')
        Ho, Wo = dZ.shape
        read = padded_input(record)[0, c, u : u + s * Ho : s, v : v + s * Wo : s]  # what weight (u, v) read at each position
        total = float(np.sum(dZ.astype(np.float64) * read))
        decay = self.trace.l2 * W.before[f, c, u, v]
        self.add(
            f"Its weight with the largest gradient, `W{i}[{f}, {c}, {u}, {v}]`. Its gradient, worked out: "
            f"`sum over i, j of dZ{i}[{f}, i, j] * X[{c}, i*{s} + {u}, j*{s} + {v}]` = {total:.6f}, "
            f"plus l2 * W = {decay:.6f}, gives {total + decay:.6f} (the backward pass computed {W.grad[f, c, u, v]:.6f})."
        )
        self.worked_update(W.before[f, c, u, v], W.grad[f, c, u, v], W.after[f, c, u, v])
