"""The trained network as JSON for the report's in-page playground (plain JavaScript reads it).

Weights travel as float32, little-endian, base64: exactly the numbers NumPy uses, so the
page's forward pass agrees with NumPy's up to the order of additions (about 1e-6).

Each layer type has one function here that writes its entry (see EXPORTERS); a layer type
without one makes the playground say that it cannot run this network.
"""

import base64

import numpy as np

from digitnet.model import Sequential
from digitnet.nn.base import Layer

# The playground draws digits prepared as 28 x 28 images, flattened row by row.
INPUT_PIXELS = 28 * 28


def encode_float32(array: np.ndarray) -> str:
    """Row-major float32 little-endian bytes of ``array``, base64-encoded."""
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def export_dense(layer, entry: dict) -> dict:
    """Dense: Z = X W + b, with W : (in, out) and b : (out,) encoded."""
    return {**entry, "W": encode_float32(layer.W.value), "b": encode_float32(layer.b.value)}


def export_conv2d(layer, entry: dict) -> dict:
    """Conv2D: out[f, i, j] = b[f] + sum over c, u, v of W[f, c, u, v] xp[c, i s + u, j s + v]
    (xp: the input zero-padded by ``padding``). W : (filters, in_channels, kernel, kernel)
    and b : (filters,) encoded; stride and padding come with the layer's spec()."""
    return {**entry, "W": encode_float32(layer.W.value), "b": encode_float32(layer.b.value)}


def export_as_specified(layer, entry: dict) -> dict:
    """Layers without parameters (max pooling, reshape, flatten, activations): their spec() says all."""
    return entry


def export_nothing(layer, entry: dict) -> None:
    """Dropout is the identity at inference: the page leaves it out."""
    return None


EXPORTERS = {
    "dense": export_dense,
    "conv2d": export_conv2d,
    "maxpool2d": export_as_specified,
    "reshape": export_as_specified,
    "flatten": export_as_specified,
    "relu": export_as_specified,
    "leaky_relu": export_as_specified,
    "sigmoid": export_as_specified,
    "tanh": export_as_specified,
    "dropout": export_nothing,
}


def input_size(model: Sequential) -> int | None:
    """How many pixels the network reads: the first dense layer's inputs, or the size of the
    images its first Reshape makes (None when neither comes first)."""
    for entry in model.spec():
        if entry["type"] == "dense":
            return entry["in"]
        if entry["type"] == "reshape":
            return int(np.prod(entry["shape"]))
    return None


def layer_outputs(model: Sequential) -> list[tuple[Layer, np.ndarray]]:
    """(layer, output for one blank 28 x 28 image) per layer: the shapes the page allocates,
    worked out by the network itself rather than by a second copy of the shape arithmetic."""
    trace: list = []
    model.forward(np.zeros((1, INPUT_PIXELS), np.float32), trace=trace)
    return trace


def network_json(model: Sequential) -> dict:
    """{"supported": True, "encoding": ..., "layers": [...]} for the page, in the network's order.

    Each entry is the layer's spec() plus what its exporter adds (encoded weights), and
    "shape": the layer's output shape for one image, without the batch axis ((C, H, W) for
    feature maps, (D,) for vectors). Dropout is left out. A network with a layer type that
    has no exporter, or that does not read 784 pixels, gives {"supported": False, "reason": ...}.
    """
    kinds = [entry["type"] for entry in model.spec()]
    missing = sorted({kind for kind in kinds if kind not in EXPORTERS})
    if missing:
        return {"supported": False, "reason": f"the playground has no JavaScript for {', '.join(missing)} layers"}
    if input_size(model) != INPUT_PIXELS:
        return {
            "supported": False,
            "reason": f"the playground draws {INPUT_PIXELS} pixels, and this network reads another number",
        }
    layers = []
    for layer, output in layer_outputs(model):
        exported = EXPORTERS[layer.spec()["type"]](layer, layer.spec())
        if exported is not None:
            layers.append({**exported, "shape": list(output.shape[1:])})
    return {"supported": True, "encoding": "float32 little-endian, base64, row-major", "layers": layers}
