"""The recorded training step: its numbers are the network's own, and the text tells the truth about them."""

import numpy as np
import pytest
from lesson_checks import check_names_only, check_update_is_the_optimizers, check_worked_numbers

from digitnet.explain import explain_step
from digitnet.markdown import to_html
from digitnet.model import CNN_PRESET, build_mlp, build_stack
from digitnet.nn.losses import SoftmaxCrossEntropy, add_l2_gradient
from digitnet.nn.optimizers import make_optimizer
from digitnet.trace import load_trace, saliency, save_trace, trace_training_step

OPTIMIZERS = [
    {"optimizer": "sgd", "momentum": 0.9, "nesterov": False},
    {"optimizer": "sgd", "momentum": 0.9, "nesterov": True},
    {"optimizer": "sgd", "momentum": 0.0},
    {"optimizer": "adam"},
]


def traced(settings=OPTIMIZERS[0], hidden=(16, 8), dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    model = build_mlp(784, list(hidden), 10, rng, dtype=dtype)
    x = rng.random(784).astype(dtype)
    optimizer = make_optimizer(model.parameters(), settings)
    return model, trace_training_step(model, optimizer, x, label=3, lr=0.05, l2=1e-3, index=42)


# Every kind of layer at least once: reshape, conv, activation, pool, flatten, dense, dropout.
SMALL_STACK = [
    {"type": "conv2d", "filters": 3, "kernel": 3, "padding": 1},
    {"type": "tanh"},
    {"type": "maxpool2d", "size": 2},
    {"type": "conv2d", "filters": 4, "kernel": 3, "stride": 2},
    {"type": "leaky_relu", "alpha": 0.1},
    {"type": "dense", "units": 12},
    {"type": "sigmoid"},
    {"type": "dropout", "p": 0.3},
]


def traced_stack(settings=OPTIMIZERS[0], stack=SMALL_STACK, seed=0):
    rng = np.random.default_rng(seed)
    model = build_stack(stack, 10, rng)
    x = rng.random(784).astype(np.float32)
    optimizer = make_optimizer(model.parameters(), settings)
    return model, trace_training_step(model, optimizer, x, label=3, lr=0.05, l2=1e-3, index=42)


@pytest.mark.parametrize("settings", OPTIMIZERS, ids=lambda s: f"{s['optimizer']}-{s.get('momentum')}-{s.get('nesterov')}")
@pytest.mark.parametrize("network", ["mlp", "cnn"])
def test_the_change_shown_is_the_change_the_optimizer_made_and_explain_md_quotes_it(settings, network):
    _, trace = traced(settings) if network == "mlp" else traced_stack(settings)
    check_update_is_the_optimizers(trace)
    # One dense weight, and one filter's for a CNN, each updated by the rule as by the optimizer.
    check_worked_numbers(explain_step(trace), trace)


def test_the_presets_lesson_quotes_what_its_convolution_by_the_fourier_transform_computed():
    # The preset's second convolution goes by the DFT: its worked sums must still be the layer's numbers.
    model, trace = traced_stack(stack=CNN_PRESET)
    assert model.layers[4].by_fourier((32, 14, 14))
    check_update_is_the_optimizers(trace)
    check_worked_numbers(explain_step(trace), trace)


def test_every_layer_is_recorded_in_order_and_the_gradients_chain():
    model, trace = traced_stack()
    assert [r.type for r in trace.layers] == [layer.type for layer in model.layers]
    assert [r.type for r in trace.layers][:3] == ["reshape", "conv2d", "tanh"] and "flatten" in [r.type for r in trace.layers]
    for below, above in zip(trace.layers[:-1], trace.layers[1:], strict=True):
        assert np.array_equal(below.output, above.input), above.name
        assert np.array_equal(below.d_output, above.d_input), above.name
    assert trace.layers[0].input.shape == (1, 784) and trace.logits.shape == (1, 10)
    assert [r.activation for r in trace.weighted] == ["tanh", "leaky_relu", "sigmoid", None]
    assert set(trace.weighted[0].params) == {"W", "b"} and not trace.layers[2].params
    # Each record holds what its layer type says its trace holds, nothing more or less.
    for record, layer in zip(trace.layers, model.layers, strict=True):
        assert record.arrays().keys() == layer.trace_fields().keys(), record.name


def test_the_recorded_gradients_are_the_ones_training_computes():
    # The same step as train_epoch takes it (no input gradient, weight decay by add_l2_gradient)
    # gives every parameter the gradient the trace recorded.
    _, trace = traced_stack()
    model = build_stack(SMALL_STACK, 10, np.random.default_rng(0))
    loss = SoftmaxCrossEntropy()
    loss.forward(model.forward(trace.x[None, :]), np.array([3]))
    model.backward(loss.backward())
    add_l2_gradient(model.parameters(), trace.l2)
    recorded = {f"{r.name}.{key}": step.grad for r in trace.weighted for key, step in r.params.items()}
    assert recorded.keys() == {p.name for p in model.parameters()}
    for p in model.parameters():
        assert np.allclose(p.grad, recorded[p.name], rtol=1e-5, atol=1e-7), p.name


def test_recorded_forward_values_follow_the_formulas():
    _, trace = traced(OPTIMIZERS[0])
    first, relu, second, _, output = trace.layers
    W, b = first.params["W"].before, first.params["b"].before
    assert np.allclose(first.output, first.input @ W + b, atol=1e-6)
    assert np.array_equal(relu.output, np.maximum(first.output, 0))
    assert np.array_equal(second.input, relu.output)
    Z = output.output[0]
    P = np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum()
    assert np.allclose(trace.P, P, atol=1e-6)
    assert trace.loss_before == pytest.approx(-np.log(P[3]), rel=1e-5)
    assert np.allclose(trace.dlogits[0], P - np.eye(10)[3], atol=1e-6)
    assert np.allclose(relu.d_input, relu.d_output * (first.output > 0))


def test_the_step_lowers_the_loss_on_its_digit():
    _, trace = traced(OPTIMIZERS[0])
    assert trace.loss_after < trace.loss_before


def test_trace_survives_a_round_trip_through_npz(tmp_path):
    _, trace = traced_stack(OPTIMIZERS[3])
    save_trace(trace, tmp_path / "step.npz")
    loaded = load_trace(tmp_path / "step.npz")
    assert loaded.optimizer == trace.optimizer and loaded.label == 3 and loaded.index == 42
    for a, b in zip(trace.layers, loaded.layers, strict=True):
        assert (a.name, a.spec, a.activation, a.params.keys()) == (b.name, b.spec, b.activation, b.params.keys())
        assert np.array_equal(a.d_input, b.d_input) and np.array_equal(a.output, b.output)
        for key in a.params:
            assert np.array_equal(a.params[key].grad, b.params[key].grad)
            assert np.array_equal(a.params[key].after, b.params[key].after)
    assert explain_step(loaded) == explain_step(trace)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "sigmoid", "tanh"])
def test_explain_md_names_the_activation_in_use_and_its_derivative_and_no_other(activation):
    rng = np.random.default_rng(1)
    model = build_mlp(784, [16, 8], 10, rng, activation=activation)
    optimizer = make_optimizer(model.parameters(), OPTIMIZERS[0])
    check_names_only(
        explain_step(trace_training_step(model, optimizer, rng.random(784).astype(np.float32), 3, 0.05, 0.0, 0)), activation
    )


def test_saliency_is_the_gradient_of_the_chosen_logit_by_central_differences():
    rng = np.random.default_rng(5)
    model = build_mlp(784, [12], 10, rng, dtype=np.float64)
    X = rng.random((1, 784))
    analytic = saliency(model, X, np.array([4]))[0]
    h = 1e-6
    for pixel in rng.choice(784, size=20, replace=False):
        plus, minus = X.copy(), X.copy()
        plus[0, pixel] += h
        minus[0, pixel] -= h
        numeric = (model.forward(plus)[0, 4] - model.forward(minus)[0, 4]) / (2 * h)
        assert analytic[pixel] == pytest.approx(numeric, rel=1e-5, abs=1e-8)


def test_markdown_subset_renders_headings_lists_tables_and_escapes_html():
    html = to_html("# Title\n\nSome `code` and **bold** <b>raw</b>.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h2>Title</h2>" in html
    assert "<code>code</code>" in html and "<strong>bold</strong>" in html
    assert "&lt;b&gt;raw&lt;/b&gt;" in html
    assert "<ul><li>one</li><li>two</li></ul>" in html
    assert "<th>a</th>" in html and "<td>2</td>" in html
