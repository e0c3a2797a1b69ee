"""One training step on one digit, recorded stage by stage, for figures and the text that explains them.

The trace is data, the figures are views of it: the forward pass (each layer's input X,
pre-activation Z = X @ W + b, activation A = f(Z)), the softmax output and the loss,
the backward pass (dL/dA, dL/dZ, dW, db per layer) and the optimizer's update, all from
the same network code that trains, with nothing recomputed elsewhere.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from digitnet.model import Sequential
from digitnet.nn.activations import ACTIVATIONS
from digitnet.nn.layers import Dense
from digitnet.nn.losses import SoftmaxCrossEntropy, add_l2_gradient, softmax
from digitnet.nn.optimizers import SGD, Adam, Optimizer

ARRAY_FIELDS = ("X", "Z", "A", "dA", "dZ", "dW", "db", "W_before", "W_after", "b_before", "b_after")


@dataclass
class LayerStep:
    """What one dense layer (and the activation after it) did in the step; batch of one.

    X : (1, D_in) input, Z : (1, D_out) = X @ W + b, A : (1, D_out) = f(Z) (A = Z for the
    output layer, whose softmax is part of the loss); dA, dZ : (1, D_out) gradients of the
    loss (dA is zeros for the output layer); dW : (D_in, D_out) including weight decay,
    db : (D_out,); W and b before and after the optimizer's step.
    """

    name: str
    activation: str | None
    X: np.ndarray
    Z: np.ndarray
    A: np.ndarray
    dA: np.ndarray
    dZ: np.ndarray
    dW: np.ndarray
    db: np.ndarray
    W_before: np.ndarray
    W_after: np.ndarray
    b_before: np.ndarray
    b_after: np.ndarray


@dataclass
class StepTrace:
    """One training step on a single digit x : (784,) with true label ``label``.

    P : (K,) softmax probabilities before the step, P_after after it; loss_before and
    loss_after the cross-entropy on this digit (without weight decay); saliency : (784,)
    is d(logit of the predicted digit)/dx, the gradient carried back to the pixels.
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
    layers: list[LayerStep] = field(default_factory=list)

    @property
    def predicted(self) -> int:
        return int(np.argmax(self.P))


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
    """Run one training step on the single digit x : (784,) and record every stage.

    Changes ``model`` in place (that is the step); pass a freshly loaded copy. Dropout, if
    any, is off so that the recorded numbers are deterministic; weight decay is added to
    dW exactly as in training. The optimizer should be new: its first step is the one shown.
    """
    X = x[None, :].astype(np.float32)  # (1, D): a batch of one
    y = np.array([label])
    loss_fn = SoftmaxCrossEntropy()
    sal = saliency(model, X, model.forward(X).argmax(axis=1))[0]

    forward: list = []
    logits = model.forward(X, trace=forward)
    loss_before = loss_fn.forward(logits, y)
    backward: list = []
    model.backward(loss_fn.backward(), need_dX=True, trace=backward)
    dense = model.dense_layers()
    add_l2_gradient([d.W.value for d in dense], [d.W.grad for d in dense], l2)

    before = {p.name: p.value.copy() for p in model.parameters()}
    optimizer.step(lr)

    grad_out = {id(layer): grad for layer, grad in backward}  # dL/d(layer output)
    inputs = [X] + [out for _, out in forward[:-1]]
    layers = []
    for position, (layer, Z) in enumerate(forward):
        if not isinstance(layer, Dense):
            continue
        after = forward[position + 1][0] if position + 1 < len(forward) else None
        activation = next((name for name, cls in ACTIVATIONS.items() if type(after) is cls), None)
        layers.append(
            LayerStep(
                name=layer.name,
                activation=activation,
                X=inputs[position].copy(),
                Z=Z.copy(),
                A=(forward[position + 1][1] if activation else Z).copy(),
                dA=grad_out[id(after)].copy() if activation else np.zeros_like(Z),
                dZ=grad_out[id(layer)].copy(),
                dW=layer.W.grad.copy(),
                db=layer.b.grad.copy(),
                W_before=before[layer.W.name],
                W_after=layer.W.value.copy(),
                b_before=before[layer.b.name],
                b_after=layer.b.value.copy(),
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
        layers=layers,
    )


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
    """Write the trace as .npz: arrays under ``<layer>.<field>``, scalars as JSON under ``meta``."""
    arrays = {"x": trace.x, "P": trace.P, "P_after": trace.P_after, "saliency": trace.saliency}
    for step in trace.layers:
        arrays.update({f"{step.name}.{name}": getattr(step, name) for name in ARRAY_FIELDS})
    meta = {
        "index": trace.index,
        "label": trace.label,
        "loss_before": trace.loss_before,
        "loss_after": trace.loss_after,
        "optimizer": trace.optimizer,
        "lr": trace.lr,
        "l2": trace.l2,
        "layers": [{"name": s.name, "activation": s.activation} for s in trace.layers],
    }
    arrays["meta"] = np.array(json.dumps(meta))
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def load_trace(path: Path) -> StepTrace:
    """Read a trace written by ``save_trace`` (no pickles)."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        layers = [
            LayerStep(
                name=entry["name"],
                activation=entry["activation"],
                **{name: data[f"{entry['name']}.{name}"] for name in ARRAY_FIELDS},
            )
            for entry in meta["layers"]
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
