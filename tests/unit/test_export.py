"""The network as the playground receives it: every layer type's entry, decoded, equals the layer."""

import base64

import numpy as np

from digitnet.export import network_json
from digitnet.model import CNN_PRESET, build_mlp, build_stack
from digitnet.nn.base import Layer

EVERY_TYPE = [
    {"type": "conv2d", "filters": 3, "kernel": 3, "stride": 2, "padding": 1},
    {"type": "leaky_relu", "alpha": 0.1},
    {"type": "maxpool2d", "size": 3, "stride": 2},
    {"type": "conv2d", "filters": 4, "kernel": 2},
    {"type": "tanh"},
    {"type": "dense", "units": 6},
    {"type": "dropout", "p": 0.5},
    {"type": "sigmoid"},
    {"type": "dense", "units": 5},
    {"type": "relu"},
]


def decoded(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f4")


def test_every_layer_type_is_exported_with_its_weights_and_output_shape(rng):
    model = build_stack(EVERY_TYPE, 10, rng)
    network = network_json(model)
    assert network["supported"]
    kept = [layer for layer in model.layers if layer.spec()["type"] != "dropout"]
    assert [entry["type"] for entry in network["layers"]] == [layer.spec()["type"] for layer in kept]
    trace = []
    model.forward(np.zeros((1, 784), np.float32), trace=trace)
    shapes = [list(out.shape[1:]) for layer, out in trace if layer.spec()["type"] != "dropout"]
    assert [entry["shape"] for entry in network["layers"]] == shapes
    for entry, layer in zip(network["layers"], kept, strict=True):
        assert {key: entry[key] for key in layer.spec()} == layer.spec()
        if entry["type"] in ("dense", "conv2d"):
            assert np.array_equal(decoded(entry["W"]), layer.W.value.ravel())
            assert np.array_equal(decoded(entry["b"]), layer.b.value)
        else:
            assert "W" not in entry


def test_the_preset_cnn_fits_the_report_and_an_mlp_keeps_its_entries(rng):
    model = build_stack(CNN_PRESET, 10, rng)
    preset = network_json(model)
    assert [entry["shape"] for entry in preset["layers"] if entry["type"] == "conv2d"] == [[32, 28, 28], [64, 14, 14]]
    # Every weight travels once, as base64 of float32 (4 characters per 3 bytes): 2.4 MB of the report's 5 MB.
    size = sum(len(entry[key]) for entry in preset["layers"] for key in ("W", "b") if key in entry)
    assert size == sum(4 * -(-4 * p.value.size // 3) for p in model.parameters())
    assert size < 2_500_000
    mlp = network_json(build_mlp(784, [16], 10, rng, activation="sigmoid"))
    assert [entry["type"] for entry in mlp["layers"]] == ["dense", "sigmoid", "dense"]


class Unknown(Layer):
    def forward(self, X, training=False):
        return X

    def spec(self):
        return {"type": "average_pool"}


def test_a_network_the_page_cannot_run_says_why(rng):
    unknown = build_mlp(784, [16], 10, rng)
    unknown.layers.insert(1, Unknown())
    assert network_json(unknown) == {"supported": False, "reason": "the playground has no JavaScript for average_pool layers"}
    other_size = network_json(build_mlp(100, [16], 10, rng))
    assert not other_size["supported"] and "784 pixels" in other_size["reason"]
