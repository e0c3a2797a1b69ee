"""Real Snakemake runs in a temporary copy of the workflow."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, sync_playwright

from bench.workdir import copy_workflow
from data_helpers import SMALL_CNN, write_small_mnist
from digitnet.figures import figure_path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"

# We run as root, offline: no sandbox, no GPU, and none of the background calls Chromium makes to Google.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000  # for launching, loading and every single page operation

# A quick configuration: little data, two epochs, no models compared beside the featured one,
# which therefore reads the custom digits too. Merged over config.yaml.
SMALL_CONFIG = {
    "split": {"validation_size": 500},
    "train": {"epochs": 2, "batch_size": 128},
    "compare": {"models": []},
    "custom_digits": {"model": None},
}
# Where the featured model (config.yaml's model and train, named compare.name) and its data go.
FEATURED = "results/models/mnist/mlp128"
DATA = "results/data/mnist"


def figure_file(workdir: Path, name: str) -> Path:
    """The featured model's figure ``name``: curves and confusion matrix live with each model."""
    return workdir / figure_path(name, FEATURED)


def snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``snakemake`` in ``workdir`` with the test config; return the finished process."""
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", "test-config.yaml", *args]
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return result


def write_config(workdir: Path, config: dict) -> None:
    (workdir / "test-config.yaml").write_text(yaml.safe_dump(config))


def planned_counts(workdir: Path, *args: str) -> dict[str, int]:
    """{rule: jobs} that a dry run would execute (empty when nothing is to be done)."""
    result = snakemake(workdir, "--dry-run", *args)
    output = result.stdout + result.stderr
    if "Nothing to be done" in output:
        return {}
    table = output.split("Job stats:", 1)[1]
    counts = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)\s*$", table, re.MULTILINE)}
    return {rule: n for rule, n in counts.items() if rule not in ("total", "all")}


def planned_jobs(workdir: Path, *args: str) -> set[str]:
    """The rules a dry run would execute (empty when nothing is to be done)."""
    return set(planned_counts(workdir, *args))


@pytest.fixture(scope="session")
def small_data(mnist_path, tmp_path_factory) -> Path:
    """The first 3,000 training and 1,000 test images of the real MNIST, as IDX .gz files."""
    return write_small_mnist(mnist_path, tmp_path_factory.mktemp("small-mnist"), 3000, 1000)


@pytest.fixture(scope="session")
def finished_run(small_data, tmp_path_factory) -> Path:
    """A workflow copy that has run to the end once on the small data."""
    workdir = copy_workflow(tmp_path_factory.mktemp("run") / "digitnet")
    write_config(workdir, {**SMALL_CONFIG, "data_dir": str(small_data)})
    snakemake(workdir)
    return workdir


@pytest.fixture
def run_copy(finished_run, tmp_path) -> Path:
    """A private copy of the finished run (timestamps and Snakemake's records kept) to change freely."""
    dest = tmp_path / "digitnet"
    shutil.copytree(finished_run, dest, symlinks=True)
    return dest


@pytest.fixture(scope="session")
def two_layer_run(small_data, tmp_path_factory) -> Path:
    """A finished run of a network with two hidden layers and leaky ReLU, on the small data."""
    workdir = copy_workflow(tmp_path_factory.mktemp("two-layers") / "digitnet")
    write_config(
        workdir, {**SMALL_CONFIG, "data_dir": str(small_data), "model": {"hidden": [64, 32], "activation": "leaky_relu"}}
    )
    snakemake(workdir)
    return workdir


@pytest.fixture(scope="session")
def full_run(mnist_path, tmp_path_factory) -> Path:
    """The default configuration run to the end on all of the real MNIST (about half a minute)."""
    workdir = copy_workflow(tmp_path_factory.mktemp("full") / "digitnet")
    write_config(workdir, {"data_dir": str(mnist_path)})
    snakemake(workdir)
    return workdir


@pytest.fixture(scope="session")
def sweep_run(small_data, tmp_path_factory) -> Path:
    """Two models compared on the small data, trained side by side: ``--cores 2``, one thread each."""
    workdir = copy_workflow(tmp_path_factory.mktemp("sweep") / "digitnet")
    models = [{"name": "mlp32-sgd", "model": {"hidden": [32]}, "train": {"momentum": 0.0, "lr": 0.1}}]
    write_config(workdir, {**SMALL_CONFIG, "data_dir": str(small_data), "compare": {"models": models}})
    # Training first, with nothing else ready to run beside it, then the rest.
    snakemake(workdir, "--set-threads", "train=1", "--until", "train")
    snakemake(workdir)
    return workdir


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The system's Chromium; without it the tests skip (and fail on CI, where .ci/run installs it)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: install Debian's Chromium (sudo apt-get install chromium) to run the browser tests"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium) -> Browser:
    """One headless Chromium for the whole module."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, timeout=TIMEOUT_MS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def cnn_run(small_data, tmp_path_factory) -> Path:
    """A finished run of a small CNN (a layer stack in config.yaml) on the small data."""
    workdir = copy_workflow(tmp_path_factory.mktemp("cnn") / "digitnet")
    write_config(
        workdir,
        {
            **SMALL_CONFIG,
            "data_dir": str(small_data),
            "model": {"layers": SMALL_CNN},
            "train": {"epochs": 2, "lr": 0.05, "batch_size": 128},
        },
    )
    snakemake(workdir)
    return workdir
