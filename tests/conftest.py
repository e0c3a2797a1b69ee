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
