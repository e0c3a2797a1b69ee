"""Shared fixtures: where the real MNIST files are, and small real datasets made from them."""

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def mnist_dir() -> Path:
    """The official MNIST files: $DIGITNET_MNIST_DIR, else ../shared/data/mnist beside the repo."""
    return Path(os.environ.get("DIGITNET_MNIST_DIR", REPO.parent / "shared" / "data" / "mnist"))


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    path = mnist_dir()
    if not (path / "train-images-idx3-ubyte.gz").exists():
        if os.environ.get("CI"):
            pytest.fail(f"MNIST files not found in {path}: set DIGITNET_MNIST_DIR")
        pytest.skip(f"MNIST files not found in {path}: set DIGITNET_MNIST_DIR to run this test")
    return path


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture(scope="session")
def model_for_photos(mnist_path):
    """A network trained briefly on 20,000 real MNIST digits (about 96%), to judge preprocessed photos."""
    from digitnet.data.formats import read_idx_images, read_idx_labels
    from digitnet.data.prepare import normalize
    from digitnet.model import build_mlp
    from digitnet.nn.optimizers import make_optimizer
    from digitnet.nn.schedules import make_schedule
    from digitnet.train import FitSettings, fit

    X = normalize(read_idx_images(mnist_path / "train-images-idx3-ubyte.gz")[:20000])
    y = read_idx_labels(mnist_path / "train-labels-idx1-ubyte.gz")[:20000]
    rng = np.random.default_rng(0)
    model = build_mlp(784, [128], 10, rng)
    optimizer = make_optimizer(model.parameters(), {"optimizer": "sgd", "momentum": 0.9})
    fit(model, optimizer, make_schedule({"name": "cosine"}, 0.2, 79, 6), X, y, X[:500], y[:500], FitSettings(6, 256, 3e-4), rng)
    return model
