"""The recorded training step: its numbers are the network's own, and the text tells the truth about them."""

import re

import numpy as np
import pytest

from digitnet.explain import explain_step
from digitnet.markdown import to_html
from digitnet.model import build_mlp
from digitnet.nn.optimizers import make_optimizer
from digitnet.trace import first_step_change, load_trace, saliency, save_trace, trace_training_step

OPTIMIZERS = [
    {"optimizer": "sgd", "momentum": 0.9, "nesterov": False},
    {"optimizer": "sgd", "momentum": 0.9, "nesterov": True},
    {"optimizer": "sgd", "momentum": 0.0},
    {"optimizer": "adam"},
]


def traced(settings, hidden=(16, 8), dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    model = build_mlp(784, list(hidden), 10, rng, dtype=dtype)
    x = rng.random(784).astype(dtype)
    optimizer = make_optimizer(model.parameters(), settings)
    return model, trace_training_step(model, optimizer, x, label=3, lr=0.05, l2=1e-3, index=42)


@pytest.mark.parametrize("settings", OPTIMIZERS, ids=lambda s: f"{s['optimizer']}-{s.get('momentum')}-{s.get('nesterov')}")
def test_the_change_shown_is_the_change_the_optimizer_made(settings):
    _, trace = traced(settings)
    for step in trace.layers:
        expected = first_step_change(trace.optimizer, trace.lr, step.dW)
        assert np.allclose(step.W_after - step.W_before, expected, rtol=1e-4, atol=1e-7), step.name


@pytest.mark.parametrize("settings", OPTIMIZERS, ids=lambda s: f"{s['optimizer']}-{s.get('momentum')}-{s.get('nesterov')}")
def test_explain_md_quotes_the_same_updated_weight_as_the_optimizer_wrote(settings):
    _, trace = traced(settings)
    text = explain_step(trace)
    by_rule = re.search(r"after, by the rule: (-?\d+\.\d+)", text).group(1)
    by_optimizer = re.search(r"after, as the optimizer changed it: (-?\d+\.\d+)", text).group(1)
    assert by_rule == by_optimizer


def test_recorded_forward_values_follow_the_formulas():
    _, trace = traced(OPTIMIZERS[0])
    first, second, output = trace.layers
    assert np.allclose(first.Z, first.X @ first.W_before + first.b_before, atol=1e-6)
    assert np.array_equal(first.A, np.maximum(first.Z, 0))
    assert np.array_equal(second.X, first.A)
    P = np.exp(output.Z[0] - output.Z.max()) / np.exp(output.Z[0] - output.Z.max()).sum()
    assert np.allclose(trace.P, P, atol=1e-6)
    assert trace.loss_before == pytest.approx(-np.log(P[3]), rel=1e-5)
    assert np.allclose(output.dZ[0], P - np.eye(10)[3], atol=1e-6)
    assert np.allclose(first.dZ, first.dA * (first.Z > 0))


def test_the_step_lowers_the_loss_on_its_digit():
    _, trace = traced(OPTIMIZERS[0])
    assert trace.loss_after < trace.loss_before


def test_trace_survives_a_round_trip_through_npz(tmp_path):
    _, trace = traced(OPTIMIZERS[3])
    save_trace(trace, tmp_path / "step.npz")
    loaded = load_trace(tmp_path / "step.npz")
    assert loaded.optimizer == trace.optimizer and loaded.label == 3 and loaded.index == 42
    for a, b in zip(trace.layers, loaded.layers, strict=True):
        assert a.activation == b.activation
        assert np.array_equal(a.dW, b.dW) and np.array_equal(a.W_after, b.W_after)


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
