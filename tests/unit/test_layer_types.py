"""Each layer type describes itself, and that description alone builds, saves, loads, draws and explains it."""

from pathlib import Path

import numpy as np
import pytest

from digitnet.configcheck import config_problems
from digitnet.explain import explain_step
from digitnet.model import build_stack, config_types, load_model, save_model, stack_problems
from digitnet.nn.base import Layer
from digitnet.nn.optimizers import make_optimizer
from digitnet.trace import trace_training_step
from digitnet.viz.architecture import layer_columns

# One config entry per registered type, with the per-sample input shape it reads.
ENTRIES = {
    "dense": ({"type": "dense", "units": 5}, (7,)),
    "conv2d": ({"type": "conv2d", "filters": 3, "kernel": 3, "stride": 2, "padding": 1}, (2, 9, 8)),
    "maxpool2d": ({"type": "maxpool2d", "size": 2}, (2, 9, 8)),
    "reshape": ({"type": "reshape", "shape": [1, 4, 4]}, (16,)),
    "flatten": ({"type": "flatten"}, (2, 3, 4)),
    "dropout": ({"type": "dropout", "p": 0.5}, (6,)),
    "relu": ({"type": "relu"}, (6,)),
    "leaky_relu": ({"type": "leaky_relu", "alpha": 0.2}, (6,)),
    "sigmoid": ({"type": "sigmoid"}, (6,)),
    "tanh": ({"type": "tanh"}, (6,)),
}


def test_every_registered_layer_type_has_an_entry_here():
    assert set(ENTRIES) <= set(Layer.registry)
    assert {kind for kind in Layer.registry if not kind.startswith("test_")} == set(ENTRIES)


@pytest.mark.parametrize("kind", sorted(ENTRIES))
def test_a_layer_built_from_its_config_entry_states_its_shape_and_survives_its_spec(kind, rng):
    entry, in_shape = ENTRIES[kind]
    cls = Layer.registry[kind]
    name = f"{cls.name_prefix}0" if cls.name_prefix else None
    layer = cls.from_config(entry, in_shape, rng, name, np.float64)
    out = layer.forward(rng.standard_normal((3, *in_shape)), training=True)
    assert out.shape == (3, *layer.output_shape(in_shape))
    assert layer.n_parameters() == sum(p.value.size for p in layer.parameters())
    assert layer.words and layer.formula and layer.label()
    arrays = {p.name: p.value for p in layer.parameters()}
    rebuilt = cls.from_spec(layer.spec(), arrays, rng, name)
    assert rebuilt.spec() == layer.spec() and repr(rebuilt) == repr(layer)


class Doubling(Layer):
    """A = 2 X, a layer type that exists only in this test: writing it is all it takes to use it."""

    type = "test_double"
    words = "doubles every value"
    formula = "A = 2 X"
    backward_words = "the gradient doubles too"

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        return 2 * X

    def backward(self, dout: np.ndarray, need_dX: bool = True) -> np.ndarray:
        return 2 * dout


def test_a_new_layer_type_is_built_saved_loaded_drawn_traced_and_explained_with_no_other_change(rng, tmp_path):
    stack = [
        {"type": "conv2d", "filters": 2, "kernel": 3},
        {"type": "test_double"},
        {"type": "dense", "units": 4},
        {"type": "relu"},
    ]
    model = build_stack(stack, 10, rng)
    assert "Doubling()" in repr(model)
    save_model(model, tmp_path / "model.npz")
    loaded = load_model(tmp_path / "model.npz")
    X = rng.random((2, 784), dtype=np.float32)
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert [column["title"] for column in layer_columns(loaded)] == ["input", "conv 3x3", "hidden 1", "output"]
    trace = trace_training_step(loaded, make_optimizer(loaded.parameters(), {"optimizer": "sgd"}), X[0], 3, 0.1, 0.0, 0)
    doubled = next(record for record in trace.layers if record.type == "test_double")
    assert np.array_equal(doubled.output, 2 * doubled.input) and np.array_equal(doubled.d_input, 2 * doubled.d_output)
    text = explain_step(trace)
    assert "It doubles every value" in text and "The gradient doubles too" in text


def test_a_config_may_name_every_registered_layer_type_and_no_other():
    # The registry is the list: the schema takes any type name, and the check at the workflow's
    # start refuses what no class registers. Reshape and flatten are never written in a config:
    # build_stack puts them where shapes change. test_double is the class defined above.
    known = config_types()
    assert set(known) == set(ENTRIES) - {"reshape", "flatten"} | {"test_double"}
    schema = Path(__file__).resolve().parents[2] / "workflow/schemas/config.schema.yaml"
    assert config_problems({"model": {"layers": [{"type": "test_double"}, {"type": "dense", "units": 3}]}}, schema) == []
    assert stack_problems([{"type": "test_double"}, {"type": "dense", "units": 3}], "model.layers") == []
    assert stack_problems([{"type": "relu"}, {"type": "conv"}], "model.layers") == [
        f"model.layers[1].type: 'conv' is not one of {known}"
    ]
