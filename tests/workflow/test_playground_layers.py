"""The playground's JavaScript for every layer type the workflow builds, against NumPy.

The report's playground section (its markup, CSS and JavaScript) is rendered alone for
networks built here, untrained: strided and padded convolutions, overlapping max pooling,
every activation, dropout (the identity at inference), MLPs with one or two hidden layers.
On 100 test digits the page's probabilities equal NumPy's within 1e-4 with the same answer,
and its saliency (the gradient of a class score with respect to the pixels) equals the one
digitnet.trace computes by backpropagation.
"""

import numpy as np
import pytest
from playground_page import DIGITS, draw, saliency_error, write_playground_page

from conftest import TIMEOUT_MS
from digitnet.data.formats import read_idx_images
from digitnet.data.prepare import normalize
from digitnet.model import build_mlp, build_stack

NETWORKS = {
    "strided-conv-tanh-overlapping-pool": lambda rng: build_stack(
        [
            {"type": "conv2d", "filters": 4, "kernel": 3, "stride": 2, "padding": 1},
            {"type": "tanh"},
            {"type": "maxpool2d", "size": 3, "stride": 2},
            {"type": "conv2d", "filters": 5, "kernel": 3},
            {"type": "leaky_relu", "alpha": 0.1},
            {"type": "dense", "units": 20},
            {"type": "dropout", "p": 0.3},
            {"type": "sigmoid"},
        ],
        10,
        rng,
    ),
    "conv-straight-into-pool": lambda rng: build_stack(
        [{"type": "conv2d", "filters": 6, "kernel": 5, "padding": 2}, {"type": "maxpool2d", "size": 2}, {"type": "relu"}],
        10,
        rng,
    ),
    "mlp-sigmoid": lambda rng: build_mlp(784, [32], 10, rng, activation="sigmoid"),
    "mlp-two-leaky-relu-dropout": lambda rng: build_mlp(784, [64, 32], 10, rng, activation="leaky_relu", dropout=0.2),
    "mlp-tanh": lambda rng: build_mlp(784, [48], 10, rng, activation="tanh"),
}


@pytest.fixture(scope="module")
def test_digits(mnist_path) -> np.ndarray:
    return normalize(read_idx_images(mnist_path / "t10k-images-idx3-ubyte.gz")[:100])


@pytest.mark.parametrize("name", NETWORKS)
def test_the_page_agrees_with_numpy_for_every_layer_type(name, browser, test_digits, tmp_path):
    model = NETWORKS[name](np.random.default_rng(7))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(write_playground_page(model, tmp_path).as_uri(), wait_until="load")
    in_page = np.array(page.evaluate("digits => digits.map(x => digitnet.predict(x))", test_digits.tolist()))
    in_numpy = model.predict_proba(test_digits)
    assert np.array_equal(in_page.argmax(axis=1), in_numpy.argmax(axis=1))
    assert np.abs(in_page - in_numpy).max() < 1e-4
    assert saliency_error(page, model, test_digits) < 1e-4
    # Drawing works too, and every switchable filter or unit is on the page.
    page.locator("#pad").scroll_into_view_if_needed()
    draw(page, DIGITS[0])
    convs = sum(layer.spec()["type"] == "conv2d" for layer in model.layers)
    assert page.locator("#layers .map-row").count() == convs
    assert errors == []
    page.close()
