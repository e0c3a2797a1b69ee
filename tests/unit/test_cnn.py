"""A CNN built from a layer stack: shapes, saving and loading, and a short real run that must learn."""

import time

import numpy as np

from data_helpers import SMALL_CNN, read_real
from digitnet.data.prepare import normalize
from digitnet.metrics import accuracy
from digitnet.model import CNN_PRESET, build_stack, load_model, save_model
from digitnet.nn.optimizers import make_optimizer
from digitnet.nn.schedules import make_schedule
from digitnet.train import FitSettings, fit


def test_the_preset_cnn_has_the_expected_layers_and_shapes(rng):
    model = build_stack(CNN_PRESET, 10, rng)
    assert repr(model) == (
        "Sequential(Reshape((1, 28, 28)), Conv2D(1->32, 5x5, stride=1, padding=2), ReLU(), MaxPool2D(2x2, stride=2), "
        "Conv2D(32->64, 5x5, stride=1, padding=2), ReLU(), MaxPool2D(2x2, stride=2), Flatten(), Dense(3136->128), ReLU(), Dense(128->10))"
    )
    assert model.forward(np.zeros((3, 784), np.float32)).shape == (3, 10)


def test_training_backward_skips_the_input_gradient_of_the_first_convolution(rng):
    # Nothing below the first convolution learns, so its input gradient is never made;
    # the same gradients for every parameter come out either way.
    model = build_stack(SMALL_CNN, 10, rng, dtype=np.float64)
    X, dlogits = rng.random((3, 784)), rng.standard_normal((3, 10))
    model.forward(X, training=True)
    assert model.backward(dlogits, need_dX=True).shape == X.shape
    with_dX = [p.grad.copy() for p in model.parameters()]
    first_conv = model.layers[1]
    first_conv._run._scratch.clear()
    assert model.backward(dlogits) is None
    assert "dcols" not in first_conv._run._scratch
    assert all(np.allclose(p.grad, g) for p, g in zip(model.parameters(), with_dX, strict=True))


def test_an_untraced_pass_pools_before_each_relu_and_gets_the_same_numbers_to_the_last_bit(rng):
    # A traced pass keeps the written order (conv, ReLU, pool); an untraced one pools first:
    # the logits, every parameter's gradient and dL/dX must agree exactly, ties at zero included.
    model = build_stack(CNN_PRESET, 10, rng)
    X, y_grad = rng.random((4, 784), dtype=np.float32), rng.standard_normal((4, 10)).astype(np.float32)
    X[:, :300] = 0  # blank rows: windows of zeros after the ReLU, where the first position takes the tie
    traced_logits = model.forward(X, training=True, trace=[])
    traced_dX = model.backward(y_grad, need_dX=True, trace=[])
    traced_grads = [p.grad.copy() for p in model.parameters()]
    assert model.pools_first(2) and model.pools_first(5) and not model.pools_first(9)
    assert np.array_equal(model.forward(X, training=True), traced_logits)
    assert np.array_equal(model.backward(y_grad, need_dX=True), traced_dX)
    assert all(np.array_equal(p.grad, g) for p, g in zip(model.parameters(), traced_grads, strict=True))


def test_a_cnn_survives_saving_and_loading(rng, tmp_path):
    model = build_stack(SMALL_CNN, 10, rng)
    save_model(model, tmp_path / "cnn.npz")
    loaded = load_model(tmp_path / "cnn.npz")
    X = rng.random((4, 784), dtype=np.float32)
    assert repr(loaded) == repr(model)
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_five_cnn_epochs_on_4000_digits_reach_95_percent(mnist_path):
    x, y = read_real(mnist_path, "train", 4500)
    xt, yt = read_real(mnist_path, "t10k", 1000)
    X, X_test = normalize(x), normalize(xt)
    rng = np.random.default_rng(0)
    model = build_stack(SMALL_CNN, 10, rng)
    optimizer = make_optimizer(model.parameters(), {"optimizer": "sgd", "momentum": 0.9})
    schedule = make_schedule({"name": "cosine"}, 0.1, steps_per_epoch=32, epochs=5)
    started = time.perf_counter()
    fit(model, optimizer, schedule, X[:4000], y[:4000], X[4000:], y[4000:], FitSettings(5, 128, 1e-4), rng)
    test_accuracy = accuracy(yt, model.predict_proba(X_test).argmax(axis=1))
    print(f"small CNN, 5 epochs on 4,000 digits: {test_accuracy:.1%} in {time.perf_counter() - started:.1f} s")
    assert test_accuracy >= 0.95
