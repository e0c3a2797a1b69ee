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


def real_dir() -> Path:
    """The licensed real photos and sheets: $DIGITNET_REAL_DIR, else ../shared/data/real_digits_dev."""
    return Path(os.environ.get("DIGITNET_REAL_DIR", REPO.parent / "shared" / "data" / "real_digits_dev"))


@pytest.fixture(scope="session")
def real_path() -> Path:
    path = real_dir()
    if not (path / "labels.csv").exists():
        if os.environ.get("DIGITNET_REAL_DIR"):  # set by .ci/run: the team's copy must be there
            pytest.fail(f"the real development set was not found in {path} (DIGITNET_REAL_DIR)")
        pytest.skip(f"the real development set was not found in {path}: set DIGITNET_REAL_DIR to run this test")
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


# Test files that share a session fixture costing a workflow run or a training. `make test` runs
# the tests on two processes with pytest-xdist's `--dist loadfile`, which keeps each file on one
# process; the files of a group here count as one file, so that their run is made once, and the
# tests using it follow it on the same process. Any other file goes to whichever process is free.
# (xdist's `--dist loadgroup` would say this with marks, but with pytest 9 it cannot: it renames
# node ids through an attribute pytest 9 no longer reads, and every test runs where it falls.)
SHARED_RUNS = {
    # finished_run, two_layer_run, cnn_run and the lesson's activation runs, on the small data.
    "small-data runs": [
        "workflow/test_custom_digits.py",
        "workflow/test_failures.py",
        "workflow/test_learning_handwriting.py",
        "workflow/test_figures.py",
        "workflow/test_gallery_browser.py",
        "workflow/test_lesson.py",
        "workflow/test_playground_cnn.py",
        "workflow/test_report_browser.py",
        "workflow/test_reproducible.py",
        "workflow/test_workflow.py",
    ],
    "sweep_run": ["workflow/test_compare.py", "workflow/test_slurm.py"],
    "full_run": ["workflow/test_full_run.py", "workflow/test_playground.py"],
    "model_for_photos": [
        "unit/test_augment.py",
        "unit/test_preprocess.py",
        "unit/test_segment.py",
        "unit/test_real_images.py",
        "unit/test_preparations.py",
        "unit/test_finetune.py",
    ],
}
GROUP_OF_FILE = {f"tests/{path}": group for group, paths in SHARED_RUNS.items() for path in paths}


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """With ``--dist loadfile``, xdist's scheduler by file, the files of one SHARED_RUNS group as one."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SharedRunScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = super()._split_scope(nodeid)
            return GROUP_OF_FILE.get(path, path)

    return SharedRunScheduling(config, log)
