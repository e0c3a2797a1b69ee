"""A network as a list of layers: build it from the config, run it, save and load it."""

import json

import numpy as np

from digitnet.errors import DamagedFile
from digitnet.files import read_npz
from digitnet.nn.activations import ReLU, activation_types
from digitnet.nn.base import Layer
from digitnet.nn.conv import Conv2D, Flatten, MaxPool2D, Reshape
from digitnet.nn.init import DEFAULT_INIT
from digitnet.nn.layers import Dense
from digitnet.nn.losses import softmax
from digitnet.nn.parameter import Parameter

# Importing the layer modules above registers every layer type in Layer.registry; building
# and loading look a type up there and nowhere else.

# Images per forward pass when predicting: a convolution's im2col matrix grows with the chunk (the
# CNN preset's second layer needs 800 floats per output position, 0.3 GB for 512 images).
PREDICT_BATCH = 512


class Sequential:
    """Layers applied one after another; the output is the logits Z : (N, K).

    ``forward(X, trace=...)`` can record every layer's output, so figures can show
    what happens inside without a second implementation of the network.
    """

    def __init__(self, layers: list[Layer]) -> None:
        self.layers = layers
        self._pooled_first: set[int] = set()  # positions of the ReLUs the last forward pass ran after their pool

    def parameters(self) -> list[Parameter]:
        return [p for layer in self.layers for p in layer.parameters()]

    def dense_layers(self) -> list[Dense]:
        return [layer for layer in self.layers if isinstance(layer, Dense)]

    def weighted_layers(self) -> list[Dense | Conv2D]:
        """Layers with a weight matrix or filter bank (role "weights"), in order."""
        return [layer for layer in self.layers if layer.role == "weights"]

    def activation_after(self, position: int) -> Layer | None:
        """The activation applied right after ``layers[position]``, or None (an output layer,
        or a layer followed by pooling or dropout)."""
        after = self.layers[position + 1] if position + 1 < len(self.layers) else None
        return after if after is not None and after.role == "activation" else None

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The per-sample shape the network reads: (784,) for flat rows of 28 x 28 pixels.

        The first layer that fixes it says (a dense layer its D_in, a Reshape its size);
        only shape-keeping layers (activations, dropout) may come before it.
        """
        for layer in self.layers:
            shape = layer.known_input_shape()
            if shape is not None:
                return shape
            if layer.role not in ("activation", "dropout"):
                break
        raise ValueError(f"cannot tell the input shape of {self!r}: it starts with no dense layer and no reshape")

    def shapes(self) -> list[tuple[int, ...]]:
        """The per-sample shape between layers: the input's, then every layer's output (len(layers) + 1)."""
        shapes = [self.input_shape]
        for layer in self.layers:
            shapes.append(layer.output_shape(shapes[-1]))
        return shapes

    def pools_first(self, position: int) -> bool:
        """Whether ``layers[position]`` is a ReLU right before a max pool, which run the other way round.

        The two commute: max over a window of max(0, z) = max(0, max over the window of z), since
        ReLU never reorders values, and the gradients agree too (the window's gradient goes to the
        first position holding its maximum, and through the ReLU only where that maximum is
        positive, either way). Pooling first leaves the ReLU a quarter of the numbers (2 x 2
        windows) and gives the same results to the last bit, so every untraced pass takes it;
        a traced pass keeps the written order, so that each layer's own output is recorded.
        """
        layers = self.layers
        return isinstance(layers[position], ReLU) and position + 1 < len(layers) and isinstance(layers[position + 1], MaxPool2D)

    def forward(self, X: np.ndarray, training: bool = False, trace: list | None = None) -> np.ndarray:
        """X : (N, D) -> logits (N, K). When ``trace`` is a list, append (layer, output) per layer."""
        out, position = X, 0
        self._pooled_first = set()
        while position < len(self.layers):
            layer = self.layers[position]
            if trace is None and self.pools_first(position):
                out = self.layers[position + 1].forward(out, training=training)  # the pool, on Z
                out = layer.forward(out, training=training)  # the ReLU, on the pooled values
                self._pooled_first.add(position)
                position += 2
                continue
            out = layer.forward(out, training=training)
            if trace is not None:
                trace.append((layer, out))
            position += 1
        return out

    def backward(self, dlogits: np.ndarray, need_dX: bool = False, trace: list | None = None) -> np.ndarray | None:
        """Backpropagate dL/dlogits : (N, K) through every layer, filling each Parameter.grad.

        Returns dL/dX : (N, D) when ``need_dX`` (for saliency maps), else None, which
        lets the first layer skip a matrix product it does not need for training.
        When ``trace`` is a list, append (layer, dL/d(layer output)) per layer, last layer first
        (after a traced forward pass: backward takes the layers in the order forward ran them).
        """
        # Below the first layer with parameters no gradient is needed for training: that
        # layer skips its input gradient (for the CNN's first convolution, a third of its
        # work) and the layers under it (a Reshape) have nothing to pass back.
        first = next((i for i, layer in enumerate(self.layers) if layer.parameters()), len(self.layers))
        grad, i = dlogits, len(self.layers) - 1
        while i >= 0:
            if not need_dX and i < first:
                return None
            if i - 1 in self._pooled_first:  # a pool that ran before its ReLU: the ReLU's gradient first
                grad = self.layers[i - 1].backward(grad)
                grad = self.layers[i].backward(grad, need_dX=need_dX or i > first)
                i -= 2
                continue
            if trace is not None:
                trace.append((self.layers[i], grad))
            grad = self.layers[i].backward(grad, need_dX=need_dX or i > first)
            i -= 1
        return grad

    def predict_proba(self, X: np.ndarray, batch_size: int = PREDICT_BATCH) -> np.ndarray:
        """Class probabilities P : (N, K) in inference mode, ``batch_size`` images at a time to bound memory."""
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
    The output layer has no activation: softmax is fused into the loss. Built as the stack
    of layer entries it amounts to, by ``build_stack``.
    """
    if activation not in activation_types():
        raise ValueError(f"unknown activation {activation!r}: use one of {sorted(activation_types())}")
    init = DEFAULT_INIT[activation] if init == "auto" else init
    unit = {"type": activation, "alpha": leaky_alpha} if activation == "leaky_relu" else {"type": activation}
    stack: list[dict] = []
    for units in hidden:
        stack += [{"type": "dense", "units": units, "init": init}, unit]
        if dropout > 0:
            stack.append({"type": "dropout", "p": dropout})
    return build_stack(stack, n_outputs, rng, image_shape=(n_inputs,), dtype=dtype, output_init=init)


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


def parameter_name(layer_type: type[Layer], counts: dict[str, int]) -> str | None:
    """The name of the next layer of ``layer_type`` with parameters ("dense0", "conv1"), counting
    in ``counts``; None for a layer without parameters."""
    prefix = layer_type.name_prefix
    if prefix is None:
        return None
    counts[prefix] = counts.get(prefix, 0) + 1
    return f"{prefix}{counts[prefix] - 1}"


def layer_type(kind: str) -> type[Layer]:
    """The registered layer class for a config or spec ``type``."""
    if kind not in Layer.registry:
        raise ValueError(f"unknown layer type {kind!r}: use one of {sorted(Layer.registry)}")
    return Layer.registry[kind]


def config_types() -> list[str]:
    """The layer types a config's ``model.layers`` may name: every registered type but the
    reshapes, which ``build_stack`` places itself where vectors meet images. The registry,
    not the config schema, is the list: a new layer class is a new config type."""
    return sorted(kind for kind, cls in Layer.registry.items() if cls.role != "reshape")


def build_stack(
    stack: list[dict],
    n_outputs: int,
    rng: np.random.Generator,
    image_shape=(1, 28, 28),
    dtype=np.float32,
    output_init: str = "he",
) -> Sequential:
    """Any stack of layers, for flat pixel rows (N, C*H*W) of images of ``image_shape``.

    stack: entries such as {"type": "conv2d", "filters": 32, "kernel": 5, "padding": 2},
    {"type": "maxpool2d", "size": 2}, {"type": "dense", "units": 128}, {"type": "relu"} or
    {"type": "dropout", "p": 0.2}; each is built by its layer class's ``from_config``. The
    shapes are worked out here from each layer's ``output_shape``: a Reshape to images comes
    before the first layer that reads images (input_rank 3), a Flatten before a layer that
    reads vectors after images, and a dense layer to ``n_outputs`` logits closes the stack.
    """
    shape: tuple[int, ...] = (int(np.prod(image_shape)),)
    layers: list[Layer] = []
    counts: dict[str, int] = {}
    for entry in [*stack, {"type": "dense", "units": n_outputs, "init": output_init}]:
        cls = layer_type(entry["type"])
        if cls.input_rank == 3 and len(shape) == 1:
            layers.append(Reshape(image_shape))
            shape = tuple(image_shape)
        if cls.input_rank == 1 and len(shape) > 1:
            layers.append(Flatten())
            shape = layers[-1].output_shape(shape)
        layers.append(cls.from_config(entry, shape, rng, parameter_name(cls, counts), dtype))
        shape = layers[-1].output_shape(shape)
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
    counts: dict[str, int] = {}
    for entry in spec:
        cls = layer_type(entry["type"])
        yield cls.from_spec(entry, data, rng, parameter_name(cls, counts))


def stack_problems(stack: list[dict], key: str, image_size: int = 28) -> list[str]:
    """One line for the first layer of ``stack`` of a type no layer class registers, or whose
    window does not fit the feature maps it would get.

    The images are ``image_size`` pixels square (28 for every data set digitnet reads), so
    a convolution's kernel or a pooling window can be too large for what the layers before
    leave: n' = (n + 2 padding - size) // stride + 1 must stay at least 1. Each layer is
    built from its entry and asked for its ``window()`` and ``output_shape``, so a new layer
    type with a window is checked too. ``key`` names the stack in the messages (``model.layers``).
    """
    known = config_types()
    for i, entry in enumerate(stack):
        if entry["type"] not in known:
            return [f"{key}[{i}].type: {entry['type']!r} is not one of {known}"]
    shape: tuple[int, ...] = (1, image_size, image_size)
    rng = np.random.default_rng(0)  # the weights drawn are thrown away; only shapes matter
    for i, entry in enumerate(stack):
        cls = layer_type(entry["type"])
        if cls.input_rank == 1:
            break  # vectors from here on: no window is left to fit
        layer = cls.from_config(entry, shape, rng, None, np.float32)
        out = layer.output_shape(shape)
        if layer.window() is not None and min(out[1:]) < 1:
            window, _, padding = layer.window()
            size = shape[1]
            return [
                f"{key}[{i}]: a {window} x {window} {entry['type']} window does not fit the {size} x {size} maps "
                f"it gets (with padding {padding}): make it at most {size + 2 * padding}, or remove layers before it"
            ]
        shape = out
    return []
