"""One training step on one digit, recorded layer by layer, for figures and the text that explains them.

The trace is data, the figures are views of it. Every layer of the network, in order
(reshape, conv, activation, pool, flatten, dense, dropout ...), gets a LayerRecord: its
input and output in the forward pass, the gradient arriving at its output and the one it
passes down in the backward pass, and for layers with parameters each parameter before
the optimizer's step, its gradient (weight decay included) and after. Then the softmax
output, the loss and the optimizer's rule. All of it comes from the code that trains:
``Sequential.forward`` and ``backward``, ``add_l2_gradient`` and ``Optimizer.step``.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from digitnet.model import Sequential, layer_type
from digitnet.nn.base import Layer
from digitnet.nn.losses import SoftmaxCrossEntropy, add_l2_gradient, softmax
from digitnet.nn.optimizers import SGD, Adam, Optimizer

PARAMETER_FIELDS = ("before", "grad", "after")
LAYER_FIELDS = ("input", "output", "d_output", "d_input")


@dataclass
class ParameterStep:
    """One parameter in the step: its value before the optimizer's step, dL/d(it) with weight
    decay added (when it decays), and its value after; all three of the parameter's shape."""

    before: np.ndarray
    grad: np.ndarray
    after: np.ndarray

    @property
    def change(self) -> np.ndarray:
        """after - before: the update the optimizer made."""
        return self.after - self.before


@dataclass
class LayerRecord:
    """What one layer did in the step, for a batch of one.

    input : (1, *in_shape) and output : (1, *out_shape) of the forward pass; d_output =
    dL/d(output) and d_input = dL/d(input), of the same shapes, from the backward pass;
    params: {"W": ParameterStep, "b": ...} for a layer with parameters, else empty.
    ``activation`` is the type of the activation right after a layer with weights (None for
    the output layer, or when none follows).
    """

    position: int
    name: str
    spec: dict
    activation: str | None
    input: np.ndarray
    output: np.ndarray
    d_output: np.ndarray
    d_input: np.ndarray
    params: dict[str, ParameterStep] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return self.spec["type"]

    @property
    def role(self) -> str:
        return layer_type(self.type).role

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array recorded, by the field names its layer's ``trace_fields()`` declares:
        input, output, d_output, d_input, and W.before, W.grad, W.after ... per parameter."""
        arrays = {name: getattr(self, name) for name in LAYER_FIELDS}
        for key, step in self.params.items():
            arrays.update({f"{key}.{name}": getattr(step, name) for name in PARAMETER_FIELDS})
        return arrays

    def layer(self) -> Layer:
        """The layer rebuilt from its spec and its parameters before the step (for its description)."""
        arrays = {f"{self.name}.{key}": step.before for key, step in self.params.items()}
        return layer_type(self.type).from_spec(self.spec, arrays, np.random.default_rng(0), self.name)


@dataclass
class StepTrace:
    """One training step on a single digit x : (D,) with true label ``label``.

    layers: a LayerRecord per layer of the network, in order; the last one's output is the
    logits. P : (K,) softmax probabilities before the step, P_after after it; loss_before
    and loss_after the cross-entropy on this digit (without weight decay); saliency : (D,)
    is d(logit of the predicted digit)/dx, the gradient carried back to the pixels.
    optimizer: its settings (optimizer_settings), whose first step is the one recorded.
    """

    index: int
    label: int
    x: np.ndarray
    P: np.ndarray
    P_after: np.ndarray
    loss_before: float
    loss_after: float
    saliency: np.ndarray
    optimizer: dict
    lr: float
    l2: float
    layers: list[LayerRecord] = field(default_factory=list)

    @property
    def predicted(self) -> int:
        return int(np.argmax(self.P))

    @property
    def weighted(self) -> list[LayerRecord]:
        """The records of layers with parameters, in order (the last is the output layer)."""
        return [record for record in self.layers if record.params]

    @property
    def logits(self) -> np.ndarray:
        return self.layers[-1].output

    @property
    def dlogits(self) -> np.ndarray:
        """dL/dz = (p - onehot(y)) / N, where the backward pass starts."""
        return self.layers[-1].d_output

    def activation_of(self, record: LayerRecord) -> LayerRecord | None:
        """The record of the activation right after ``record``, or None."""
        after = self.layers[record.position + 1] if record.position + 1 < len(self.layers) else None
        return after if after is not None and after.role == "activation" else None


def saliency(model: Sequential, X: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Gradient of each sample's class score with respect to its pixels (Simonyan et al., 2014).

    X : (N, D), classes : (N,) -> S : (N, D) with S[i] = d logits[i, classes[i]] / d X[i].
    Backpropagation starts from a one-hot dlogits instead of the loss gradient, and runs
    all the way to the input. Uses the logit, not the probability: the probability also
    depends on every other class's score.
    """
    logits = model.forward(X)
    dlogits = np.zeros_like(logits)
    dlogits[np.arange(len(X)), classes] = 1
    return model.backward(dlogits, need_dX=True)


def trace_training_step(
    model: Sequential, optimizer: Optimizer, x: np.ndarray, label: int, lr: float, l2: float, index: int
) -> StepTrace:
    """Run one training step on the single digit x : (D,) and record every layer.

    The step is training's own: Sequential.forward, the loss, Sequential.backward (also
    asked for dL/dX, which leaves every parameter's gradient the same), add_l2_gradient and
    optimizer.step. Changes ``model`` in place (that is the step); pass a freshly loaded
    copy. Dropout, if any, is off so that the recorded numbers are deterministic. The
    optimizer should be new: its first step is the one shown.
    """
    X = x[None, :].astype(np.float32)  # (1, D): a batch of one
    y = np.array([label])
    loss_fn = SoftmaxCrossEntropy()
    sal = saliency(model, X, model.forward(X).argmax(axis=1))[0]

    forward: list = []
    logits = model.forward(X, trace=forward)
    loss_before = loss_fn.forward(logits, y)
    backward: list = []
    dX = model.backward(loss_fn.backward(), need_dX=True, trace=backward)
    add_l2_gradient(model.parameters(), l2)
    before = {p.name: p.value.copy() for p in model.parameters()}
    optimizer.step(lr)

    d_output = [grad for _, grad in reversed(backward)]  # dL/d(output of layer i), in layer order
    d_input = [dX, *d_output[:-1]]  # what layer i passes down is what layer i - 1 receives
    inputs = [X, *(out for _, out in forward[:-1])]
    counts: dict[str, int] = {}
    records = []
    for position, (layer, out) in enumerate(forward):
        name = getattr(layer, "name", None) or f"{layer.type}{counts.get(layer.type, 0)}"
        counts[layer.type] = counts.get(layer.type, 0) + 1
        activation = model.activation_after(position) if layer.parameters() else None
        records.append(
            LayerRecord(
                position=position,
                name=name,
                spec=layer.spec(),
                activation=activation.type if activation else None,
                input=inputs[position].copy(),
                output=out.copy(),
                d_output=d_output[position].copy(),
                d_input=d_input[position].copy(),
                params={
                    p.name.rsplit(".", 1)[-1]: ParameterStep(before[p.name], p.grad.copy(), p.value.copy())
                    for p in layer.parameters()
                },
            )
        )
    logits_after = model.forward(X)
    return StepTrace(
        index=index,
        label=int(label),
        x=x.astype(np.float32),
        P=softmax(logits)[0],
        P_after=softmax(logits_after)[0],
        loss_before=loss_before,
        loss_after=loss_fn.forward(logits_after, y),
        saliency=sal,
        optimizer=optimizer_settings(optimizer),
        lr=lr,
        l2=l2,
        layers=records,
    )


def lesson_facts(trace: StepTrace) -> dict:
    """What the report's lesson says of the traced step: the digit, p_y and the loss, the
    activations in use (each with its formula and derivative, in symbols and words, from its
    layer class), whether the network convolves, and the shapes from input to logits."""
    activations: dict[str, dict] = {}
    for record in trace.layers:
        if record.role == "activation" and record.type not in activations:
            layer = record.layer()
            activations[record.type] = {
                "name": record.type,
                "words": layer.words,
                "formula": layer.formula,
                "derivative": layer.derivative,
                "derivative_words": layer.derivative_words,
            }
    shown = [trace.layers[0].input, *(r.output for r in trace.layers if r.role in ("weights", "pool", "reshape"))]
    return {
        "index": trace.index,
        "label": trace.label,
        "p_true": float(trace.P[trace.label]),
        "loss": trace.loss_before,
        "activations": list(activations.values()),
        "convolutional": any(r.output.ndim == 4 for r in trace.weighted),
        "shapes": " → ".join(str(tuple(a.shape)) for a in shown),
    }


def optimizer_settings(optimizer: Optimizer) -> dict:
    """What the first step of ``optimizer`` depends on, as plain data."""
    if isinstance(optimizer, SGD):
        return {"name": "sgd", "momentum": optimizer.momentum, "nesterov": optimizer.nesterov}
    if isinstance(optimizer, Adam):
        return {"name": "adam", "eps": optimizer.eps}
    raise ValueError(f"no first-step rule for {optimizer!r}")


def first_step_change(settings: dict, lr: float, dW: np.ndarray) -> np.ndarray:
    """The change a fresh optimizer's first step makes, from its rule written out.

    SGD:            v = 0 * mu + dW = dW,               change = -lr * dW
    SGD, Nesterov:  change = -lr * (dW + mu * v)        = -lr * (1 + mu) * dW
    Adam:           m_hat = dW, s_hat = dW^2 after bias correction,
                    change = -lr * dW / (|dW| + eps)    (about -lr * sign(dW))
    """
    if settings["name"] == "sgd":
        return -lr * (1 + settings["momentum"] if settings["nesterov"] else 1) * dW
    return -lr * dW / (np.abs(dW) + settings["eps"])


def first_step_rule(settings: dict) -> str:
    """The first step's update rule in words and symbols, for figures and the explanation."""
    if settings["name"] == "adam":
        return "Adam, first step: m_hat = dW and s_hat = dW^2, so W <- W - lr * dW / (|dW| + eps)"
    if settings["nesterov"]:
        return (
            f"SGD with Nesterov momentum {settings['momentum']}, empty velocity: W <- W - lr * (1 + {settings['momentum']}) * dW"
        )
    momentum = f" with momentum {settings['momentum']}, empty velocity (v = dW)" if settings["momentum"] else ""
    return f"SGD{momentum}: W <- W - lr * dW"


def save_trace(trace: StepTrace, path) -> None:
    """Write the trace as .npz: arrays under ``<layer>.<field>`` and ``<layer>.<parameter>.<field>``,
    everything else as JSON under ``meta``."""
    arrays = {"x": trace.x, "P": trace.P, "P_after": trace.P_after, "saliency": trace.saliency}
    for record in trace.layers:
        arrays.update({f"{record.name}.{name}": array for name, array in record.arrays().items()})
    meta = {
        "index": trace.index,
        "label": trace.label,
        "loss_before": trace.loss_before,
        "loss_after": trace.loss_after,
        "optimizer": trace.optimizer,
        "rule": first_step_rule(trace.optimizer),
        "lr": trace.lr,
        "l2": trace.l2,
        "layers": [{"name": r.name, "spec": r.spec, "activation": r.activation, "params": list(r.params)} for r in trace.layers],
    }
    arrays["meta"] = np.array(json.dumps(meta))
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def load_trace(path: Path) -> StepTrace:
    """Read a trace written by ``save_trace`` (no pickles)."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        layers = [
            LayerRecord(
                position=position,
                name=entry["name"],
                spec=entry["spec"],
                activation=entry["activation"],
                **{name: data[f"{entry['name']}.{name}"] for name in LAYER_FIELDS},
                params={
                    key: ParameterStep(*(data[f"{entry['name']}.{key}.{name}"] for name in PARAMETER_FIELDS))
                    for key in entry["params"]
                },
            )
            for position, entry in enumerate(meta["layers"])
        ]
        return StepTrace(
            index=meta["index"],
            label=meta["label"],
            x=data["x"],
            P=data["P"],
            P_after=data["P_after"],
            loss_before=meta["loss_before"],
            loss_after=meta["loss_after"],
            saliency=data["saliency"],
            optimizer=meta["optimizer"],
            lr=meta["lr"],
            l2=meta["l2"],
            layers=layers,
        )
