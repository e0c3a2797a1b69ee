"""Every layer, activation and the loss against central differences, in float64.

For a scalar function L(theta), the central difference
    (L(theta + h e_i) - L(theta - h e_i)) / (2 h)
approximates dL/dtheta_i with error O(h^2). The analytic gradient from backward()
must agree to a relative error below 1e-6.
"""

import numpy as np
import pytest

from digitnet.model import build_mlp
from digitnet.nn import Dense, Dropout, LeakyReLU, ReLU, Sigmoid, SoftmaxCrossEntropy, Tanh
from digitnet.nn.init import he_normal
from digitnet.nn.losses import add_l2_gradient, l2_penalty
from digitnet.nn.parameter import Parameter

H = 1e-6
TOLERANCE = 1e-6


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max(|a| + |b|), the CS231n measure, safe when both are tiny."""
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a) + np.abs(b)), 1e-12))


def numeric_gradient(f, x: np.ndarray) -> np.ndarray:
    """Central differences of the scalar f() with respect to every entry of x (changed in place, restored)."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + H
        plus = f()
        x[i] = saved - H
        minus = f()
        x[i] = saved
        grad[i] = (plus - minus) / (2 * H)
    return grad


def layer_loss(layer, X, weights):
    """A scalar of the layer's output, L = sum(out * weights), so that dL/dout = weights."""
    return lambda: float(np.sum(layer.forward(X, training=True) * weights))


@pytest.mark.parametrize("activation", [ReLU(), LeakyReLU(0.1), Sigmoid(), Tanh()], ids=repr)
def test_activation_backward_matches_central_differences(activation, rng):
    # Keep inputs away from ReLU's kink at 0, where the derivative is undefined.
    X = rng.standard_normal((5, 7))
    X[np.abs(X) < 1e-3] = 0.5
    upstream = rng.standard_normal((5, 7))
    activation.forward(X, training=True)
    analytic = activation.backward(upstream)
    numeric = numeric_gradient(layer_loss(activation, X, upstream), X)
    assert relative_error(analytic, numeric) < TOLERANCE


def test_dense_backward_matches_central_differences_for_inputs_weights_and_bias(rng):
    layer = Dense.create(6, 4, he_normal, rng, dtype=np.float64)
    layer.b.value[:] = rng.standard_normal(4)
    X = rng.standard_normal((3, 6))
    upstream = rng.standard_normal((3, 4))
    layer.forward(X)
    dX = layer.backward(upstream)
    f = layer_loss(layer, X, upstream)
    assert relative_error(dX, numeric_gradient(f, X)) < TOLERANCE
    assert relative_error(layer.W.grad, numeric_gradient(f, layer.W.value)) < TOLERANCE
    assert relative_error(layer.b.grad, numeric_gradient(f, layer.b.value)) < TOLERANCE


def test_dropout_backward_matches_central_differences_for_a_fixed_mask(rng):
    layer = Dropout(0.4, np.random.default_rng(7))
    X = rng.standard_normal((4, 9))
    upstream = rng.standard_normal((4, 9))
    layer.forward(X, training=True)
    analytic = layer.backward(upstream)

    # Replay the same mask for every evaluation: reset the layer's generator each time.
    def f():
        layer.rng = np.random.default_rng(7)
        return float(np.sum(layer.forward(X, training=True) * upstream))

    assert relative_error(analytic, numeric_gradient(f, X)) < TOLERANCE


def test_softmax_cross_entropy_gradient_is_p_minus_onehot_over_n(rng):
    Z = rng.standard_normal((6, 10)) * 3
    y = rng.integers(0, 10, size=6)
    loss = SoftmaxCrossEntropy()
    loss.forward(Z, y)
    analytic = loss.backward()
    assert relative_error(analytic, numeric_gradient(lambda: loss.forward(Z, y), Z)) < TOLERANCE
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    assert np.allclose(analytic, (P - np.eye(10)[y]) / 6)


def test_softmax_cross_entropy_stays_finite_for_huge_logits():
    Z = np.array([[1000.0, 0.0, -1000.0], [-1e4, 1e4, 0.0]])
    loss = SoftmaxCrossEntropy()
    value = loss.forward(Z, np.array([2, 1]))
    assert np.isfinite(value) and value == pytest.approx(2000.0 / 2)
    assert np.isfinite(loss.backward()).all()


def test_l2_penalty_gradient_matches_central_differences(rng):
    parameters = [Parameter("a.W", rng.standard_normal((3, 4))), Parameter("a.b", rng.standard_normal(4))]
    parameters.append(Parameter("c.W", rng.standard_normal((2, 1, 3, 3))))
    add_l2_gradient(parameters, 0.3)
    for p in parameters:
        assert relative_error(p.grad, numeric_gradient(lambda: l2_penalty(parameters, 0.3), p.value)) < TOLERANCE
    assert not parameters[1].grad.any(), "a bias does not decay"


@pytest.mark.parametrize("hidden,activation", [([5], "relu"), ([6, 4], "tanh"), ([5, 4, 3], "sigmoid"), ([4], "leaky_relu")])
def test_whole_network_gradient_matches_central_differences(hidden, activation, rng):
    model = build_mlp(8, hidden, 3, rng, activation=activation, dtype=np.float64)
    X = rng.standard_normal((4, 8))
    y = rng.integers(0, 3, size=4)
    loss = SoftmaxCrossEntropy()

    def f():
        return loss.forward(model.forward(X), y)

    f()
    dX = model.backward(loss.backward(), need_dX=True)
    analytic = {p.name: p.grad.copy() for p in model.parameters()}
    for p in model.parameters():
        assert relative_error(analytic[p.name], numeric_gradient(f, p.value)) < TOLERANCE, p.name
    assert relative_error(dX, numeric_gradient(f, X)) < TOLERANCE
