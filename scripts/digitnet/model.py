"""A network as a list of layers: build it from the config, run it, save and load it."""

import json

import numpy as np

from digitnet.errors import DamagedFile
from digitnet.files import read_npz
from digitnet.nn.activations import ACTIVATIONS, LeakyReLU
from digitnet.nn.base import Layer
from digitnet.nn.conv import Conv2D, Flatten, MaxPool2D, Reshape, output_size
from digitnet.nn.init import DEFAULT_INIT, INITIALIZERS, he_normal
from digitnet.nn.layers import Dense, Dropout
from digitnet.nn.losses import softmax
from digitnet.nn.parameter import Parameter


class Sequential:
    """Layers applied one after another; the output is the logits Z : (N, K).

    ``forward(X, trace=...)`` can record every layer's output, so figures can show
    what happens inside without a second implementation of the network.
    """

    def __init__(self, layers: list[Layer]) -> None:
        self.layers = layers

    def parameters(self) -> list[Parameter]:
        return [p for layer in self.layers for p in layer.parameters()]

    def dense_layers(self) -> list[Dense]:
        return [layer for layer in self.layers if isinstance(layer, Dense)]

    def weighted_layers(self) -> list[Dense | Conv2D]:
        """Layers with a weight matrix or filter bank (what weight decay applies to)."""
        return [layer for layer in self.layers if isinstance(layer, Dense | Conv2D)]

    def forward(self, X: np.ndarray, training: bool = False, trace: list | None = None) -> np.ndarray:
        """X : (N, D) -> logits (N, K). When ``trace`` is a list, append (layer, output) per layer."""
        out = X
        for layer in self.layers:
            out = layer.forward(out, training=training)
            if trace is not None:
                trace.append((layer, out))
        return out

    def backward(self, dlogits: np.ndarray, need_dX: bool = False, trace: list | None = None) -> np.ndarray | None:
        """Backpropagate dL/dlogits : (N, K) through every layer, filling each Parameter.grad.

        Returns dL/dX : (N, D) when ``need_dX`` (for saliency maps), else None, which
        lets the first layer skip a matrix product it does not need for training.
        When ``trace`` is a list, append (layer, dL/d(layer output)) per layer, last layer first.
        """
        # Below the first layer with parameters no gradient is needed for training: that
        # layer skips its input gradient (for the CNN's first convolution, a third of its
        # work) and the layers under it (a Reshape) have nothing to pass back.
        first = next((i for i, layer in enumerate(self.layers) if layer.parameters()), len(self.layers))
        grad = dlogits
        for i in range(len(self.layers) - 1, -1, -1):
            if not need_dX and i < first:
                return None
            if trace is not None:
                trace.append((self.layers[i], grad))
            grad = self.layers[i].backward(grad, need_dX=need_dX or i > first)
        return grad

    def predict_proba(self, X: np.ndarray, batch_size: int = 512) -> np.ndarray:
        """Class probabilities P : (N, K) in inference mode, in chunks to bound memory.

        512 images at a time: a convolution's im2col matrix grows with the chunk (the CNN
        preset's second layer needs 800 floats per output position, 0.3 GB for 512 images).
        """
        chunks = [softmax(self.forward(X[i : i + batch_size])) for i in range(0, len(X), batch_size)]
        return np.concatenate(chunks) if chunks else np.empty((0, self.n_outputs), np.float32)

    @property
    def n_outputs(self) -> int:
        return self.dense_layers()[-1].W.value.shape[1]

    def n_parameters(self) -> int:
        return int(sum(p.value.size for p in self.parameters()))

    def spec(self) -> list[dict]:
        return [layer.spec() for layer in self.layers]

    def __repr__(self) -> str:
        return f"Sequential({', '.join(repr(layer) for layer in self.layers)})"


def build_mlp(
    n_inputs: int,
    hidden: list[int],
    n_outputs: int,
    rng: np.random.Generator,
    activation: str = "relu",
    init: str = "auto",
    dropout: float = 0.0,
    leaky_alpha: float = 0.01,
    dtype=np.float32,
) -> Sequential:
    """A multi-layer perceptron: [Dense, activation, (Dropout)] per hidden size, then Dense to the logits.

    ``hidden=[128]`` gives the 784-128-10 network; ``[512, 256]`` gives two hidden layers.
    The output layer has no activation: softmax is fused into the loss.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: use one of {sorted(ACTIVATIONS)}")
    init_fn = INITIALIZERS[DEFAULT_INIT[activation] if init == "auto" else init]
    sizes = [n_inputs, *hidden, n_outputs]
    layers: list[Layer] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(Dense.create(fan_in, fan_out, init_fn, rng, name=f"dense{i}", dtype=dtype))
        if i < len(hidden):
            layers.append(LeakyReLU(leaky_alpha) if activation == "leaky_relu" else ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(Dropout(dropout, rng))
    return Sequential(layers)


# A small CNN for MNIST: two 5x5 convolutions with max pooling, then a dense layer.
CNN_PRESET = [
    {"type": "conv2d", "filters": 32, "kernel": 5, "padding": 2},
    {"type": "relu"},
    {"type": "maxpool2d", "size": 2},
    {"type": "conv2d", "filters": 64, "kernel": 5, "padding": 2},
    {"type": "relu"},
    {"type": "maxpool2d", "size": 2},
    {"type": "dense", "units": 128},
    {"type": "relu"},
]


def build_stack(
    stack: list[dict], n_outputs: int, rng: np.random.Generator, image_shape=(1, 28, 28), dtype=np.float32
) -> Sequential:
    """Any stack of layers, for flat pixel rows (N, C*H*W) of images of ``image_shape``.

    stack: entries such as {"type": "conv2d", "filters": 32, "kernel": 5, "padding": 2},
    {"type": "maxpool2d", "size": 2}, {"type": "dense", "units": 128}, {"type": "relu"} or
    {"type": "dropout", "p": 0.2}. The shapes are worked out here: a Reshape to images comes
    first when the stack starts with a convolution, a Flatten goes before the first dense
    layer after one, and a dense layer to ``n_outputs`` logits closes the stack.
    """
    shape: tuple[int, ...] = (int(np.prod(image_shape)),)
    layers: list[Layer] = []
    counts = {"conv": 0, "dense": 0}
    for entry in [*stack, {"type": "dense", "units": n_outputs}]:
        kind = entry["type"]
        if kind in ("conv2d", "maxpool2d") and len(shape) == 1:
            layers.append(Reshape(image_shape))
            shape = tuple(image_shape)
        if kind == "dense" and len(shape) == 3:
            layers.append(Flatten())
            shape = (int(np.prod(shape)),)
        if kind == "conv2d":
            stride, padding = entry.get("stride", 1), entry.get("padding", 0)
            conv = Conv2D.create(
                shape[0], entry["filters"], entry["kernel"], rng, stride, padding, name=f"conv{counts['conv']}", dtype=dtype
            )
            counts["conv"] += 1
            layers.append(conv)
            shape = (entry["filters"], *(output_size(n, entry["kernel"], stride, padding) for n in shape[1:]))
        elif kind == "maxpool2d":
            pool = MaxPool2D(entry.get("size", 2), entry.get("stride"))
            layers.append(pool)
            shape = (shape[0], *(output_size(n, pool.size, pool.stride, 0) for n in shape[1:]))
        elif kind == "dense":
            layers.append(Dense.create(shape[0], entry["units"], he_normal, rng, name=f"dense{counts['dense']}", dtype=dtype))
            counts["dense"] += 1
            shape = (entry["units"],)
        elif kind == "dropout":
            layers.append(Dropout(entry["p"], rng))
        elif kind == "leaky_relu":
            layers.append(LeakyReLU(entry.get("alpha", 0.01)))
        elif kind in ACTIVATIONS:
            layers.append(ACTIVATIONS[kind]())
        else:
            raise ValueError(f"unknown layer type {kind!r}")
    return Sequential(layers)


PRESETS = {"cnn": CNN_PRESET}


def layer_stack(config: dict) -> list[dict] | None:
    """The layer entries that the ``model`` slice of config.yaml lists in ``layers`` (a preset
    name such as "cnn" looked up), or None for an MLP described by hidden and activation."""
    layers = config.get("layers")
    if not layers:
        return None
    return PRESETS[layers] if isinstance(layers, str) else layers


def model_from_config(config: dict, n_inputs: int, n_outputs: int, rng: np.random.Generator) -> Sequential:
    """The network that the ``model`` slice of config.yaml describes.

    With ``layers`` (a preset name such as "cnn", or a list of layer entries) the stack is
    built by ``build_stack``; otherwise an MLP from hidden, activation, init, dropout and leaky_alpha.
    """
    stack = layer_stack(config)
    if stack is not None:
        return build_stack(stack, n_outputs, rng)
    return build_mlp(
        n_inputs,
        config["hidden"],
        n_outputs,
        rng,
        activation=config["activation"],
        init=config["init"],
        dropout=config["dropout"],
        leaky_alpha=config["leaky_alpha"],
    )


def save_model(model: Sequential, path) -> None:
    """Write the weights and the layer list to ``path`` (.npz, no pickled objects).

    Keys: ``dense{i}.W``, ``dense{i}.b`` per dense layer, and ``spec``: the layer list
    as a JSON string, so the file alone rebuilds the network.
    """
    arrays = {p.name: p.value for p in model.parameters()}
    arrays["spec"] = np.array(json.dumps(model.spec()))
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def load_model(path, rng: np.random.Generator | None = None) -> Sequential:
    """Rebuild the network saved by ``save_model``.

    Nothing in the file is unpickled (a file holding Python objects is refused unread),
    and a file that is damaged or was not written by ``save_model`` raises DataError
    naming it, never a bare NumPy or KeyError.
    """
    what = "a digitnet model"
    data = read_npz(path, required=("spec",), what=what)
    rng = rng if rng is not None else np.random.default_rng(0)
    try:
        return Sequential(list(_layers_from_spec(json.loads(str(data["spec"])), data, rng)))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise DamagedFile(
            path, f"not {what}: its layer list does not match its arrays ({type(error).__name__}: {error})"
        ) from None


def _layers_from_spec(spec: list[dict], data: dict[str, np.ndarray], rng: np.random.Generator):
    """Yield the layers that ``spec`` (save_model's layer list) describes, with weights from ``data``."""
    counts = {"dense": 0, "conv": 0}
    for entry in spec:
        kind = entry["type"]
        if kind == "dense":
            name = f"dense{counts['dense']}"
            yield Dense(data[f"{name}.W"], data[f"{name}.b"], name=name)
            counts["dense"] += 1
        elif kind == "conv2d":
            name = f"conv{counts['conv']}"
            yield Conv2D(data[f"{name}.W"], data[f"{name}.b"], entry["stride"], entry["padding"], name=name)
            counts["conv"] += 1
        elif kind == "maxpool2d":
            yield MaxPool2D(entry["size"], entry["stride"])
        elif kind == "reshape":
            yield Reshape(tuple(entry["shape"]))
        elif kind == "flatten":
            yield Flatten()
        elif kind == "dropout":
            yield Dropout(entry["p"], rng)
        elif kind == "leaky_relu":
            yield LeakyReLU(entry["alpha"])
        else:
            yield ACTIVATIONS[kind]()
