"""The trained network as JSON for the report's in-page playground (plain JavaScript reads it).

Weights travel as float32, little-endian, base64: exactly the numbers NumPy uses, so the
page's forward pass agrees with NumPy's up to the order of additions (about 1e-6).
"""

import base64

import numpy as np

from digitnet.model import Sequential


def encode_float32(array: np.ndarray) -> str:
    """Row-major float32 little-endian bytes of ``array``, base64-encoded."""
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def network_json(model: Sequential) -> dict:
    """{"encoding": ..., "layers": [...]}: dense layers carry W (in, out) and b (out,) encoded;
    activations carry their name (and alpha for leaky ReLU); dropout is left out, since it is
    the identity at inference."""
    if any(entry["type"] in ("conv2d", "maxpool2d") for entry in model.spec()):
        # The page's JavaScript runs dense networks only.
        return {"supported": False, "reason": "the playground runs dense networks; this one has convolution layers"}
    layers = []
    dense = iter(model.dense_layers())
    for entry in model.spec():
        if entry["type"] == "dense":
            layer = next(dense)
            layers.append({**entry, "W": encode_float32(layer.W.value), "b": encode_float32(layer.b.value)})
        elif entry["type"] != "dropout":
            layers.append(entry)
    return {"supported": True, "encoding": "float32 little-endian, base64, row-major (in, out)", "layers": layers}
