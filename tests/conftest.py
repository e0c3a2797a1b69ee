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


# Session fixtures that each cost a workflow run or a training (tests/workflow/conftest.py,
# test_lesson.py and above). `make test` runs the tests on two processes (pytest-xdist,
# `--dist loadgroup`); every test that needs one of these goes in its group, so that it is made
# once, on one process, and the tests sharing it run after it there. The first name a test
# uses decides its group; a test may also name its group itself (test_lesson.py does).
SHARED_RUNS = ("sweep_run", "full_run", "cnn_run", "two_layer_run", "finished_run", "activation_runs", "model_for_photos")


# First: pytest-xdist reads the groups in its own hook of this name, on each process.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        uses = [name for name in SHARED_RUNS if name in item.fixturenames]
        if uses and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(uses[0]))
