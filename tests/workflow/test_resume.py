"""Training interrupted by a real signal resumes from its last checkpoint and ends with the same weights."""

import hashlib
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import FEATURED, copy_workflow, snakemake, write_config

# Small, but with every kind of state that must carry over: Adam's moments and step count,
# dropout and augmentation drawing from the generator, a warm-up and cosine schedule.
RESUME_CONFIG = {
    "split": {"validation_size": 500, "train_limit": 2000},
    "model": {"hidden": [64], "dropout": 0.2},
    "train": {
        "epochs": 10,
        "batch_size": 64,
        "optimizer": "adam",
        "lr": 0.002,
        "augment": {"enabled": True},
        "schedule": {"name": "cosine", "warmup_epochs": 1},
    },
    "compare": {"models": []},
}
CHECKPOINT = "results/checkpoints/mnist/mlp128/checkpoint.npz"
LOG = "logs/train/mnist/mlp128.log"


def weights_checksum(workdir) -> str:
    """SHA-256 of the trained arrays (names and bytes; the .npz's zip timestamps left out)."""
    digest = hashlib.sha256()
    with np.load(workdir / FEATURED / "weights.npz") as weights:
        for name in sorted(weights.files):
            digest.update(name.encode() + weights[name].tobytes())
    return digest.hexdigest()


def interrupt_training(workdir, sig: signal.Signals) -> str:
    """Start training and send ``sig`` to Snakemake's process group as soon as the first checkpoint exists.

    Returns the terminal output. SIGINT is what Ctrl-C sends, to every process of the group.
    """
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", "test-config.yaml", "--until", "train"]
    process = subprocess.Popen(
        command,
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        # As from a terminal: a shell running tests in the background may have left SIGINT ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 300
    while not (workdir / CHECKPOINT).exists():
        assert process.poll() is None, process.communicate()[0][-3000:]
        assert time.monotonic() < deadline, "no checkpoint appeared"
        time.sleep(0.01)
    os.killpg(process.pid, sig)
    return process.communicate(timeout=120)[0]


@pytest.fixture(scope="module")
def uninterrupted(small_data, tmp_path_factory):
    """The checksum of the weights trained in one go."""
    workdir = copy_workflow(tmp_path_factory.mktemp("uninterrupted") / "digitnet")
    write_config(workdir, {**RESUME_CONFIG, "data_dir": str(small_data)})
    snakemake(workdir, "--until", "train")
    assert not (workdir / CHECKPOINT).exists()
    assert not (workdir / "results/checkpoints").exists()
    return weights_checksum(workdir)


@pytest.fixture
def interrupted(small_data, tmp_path):
    """A workflow copy whose training was stopped by Ctrl-C after its first checkpoint; and the terminal output."""
    workdir = copy_workflow(tmp_path / "digitnet")
    write_config(workdir, {**RESUME_CONFIG, "data_dir": str(small_data)})
    snakemake(workdir, "--until", "prepare_data")
    output = interrupt_training(workdir, signal.SIGINT)
    return workdir, output


def checkpoint_epoch(workdir) -> int:
    with np.load(workdir / CHECKPOINT) as checkpoint:
        return int(checkpoint["epoch"])


def test_ctrl_c_prints_one_line_and_leaves_no_weights_but_a_checkpoint(interrupted):
    workdir, output = interrupted
    assert "interrupted: the unfinished outputs of this step were removed; rerun snakemake to continue" in output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
    assert not [p for p in (workdir / FEATURED).glob("*") if p.is_file()]
    assert 1 <= checkpoint_epoch(workdir) < RESUME_CONFIG["train"]["epochs"]


def test_training_rerun_after_ctrl_c_resumes_and_ends_byte_identical(interrupted, uninterrupted):
    workdir, _ = interrupted
    epoch = checkpoint_epoch(workdir)
    started = time.perf_counter()
    snakemake(workdir, "--until", "train")
    print(f"resumed after epoch {epoch} of {RESUME_CONFIG['train']['epochs']} in {time.perf_counter() - started:.1f} s")
    log = (workdir / LOG).read_text()
    assert f"resuming from {CHECKPOINT}: epoch {epoch} of 10 was the last finished" in log
    assert f"epoch {epoch + 1:>2}/10" in log and f"epoch {epoch:>2}/10" not in log
    assert weights_checksum(workdir) == uninterrupted
    assert not (workdir / "results/checkpoints").exists()


def test_a_checkpoint_made_with_other_settings_is_not_used(interrupted, small_data):
    workdir, _ = interrupted
    write_config(workdir, {**RESUME_CONFIG, "data_dir": str(small_data), "train": {**RESUME_CONFIG["train"], "lr": 0.001}})
    snakemake(workdir, "--until", "train")
    log = (workdir / LOG).read_text()
    assert f"{CHECKPOINT} was made with other data, settings or code: not used; training starts at epoch 1" in log
    assert "resuming from" not in log and "epoch  1/10" in log
    assert not (workdir / "results/checkpoints").exists()
