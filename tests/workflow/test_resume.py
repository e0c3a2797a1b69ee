"""Training interrupted by a real signal resumes from its last checkpoint and ends with the same weights."""

import hashlib
import os
import shutil
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
    # config.yaml's reader of custom digits is a compared model, and none is compared here.
    "custom_digits": {"model": None},
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


def interrupt_training(workdir, sig: signal.Signals, after_epoch: int = 3, extra: tuple[str, ...] = ()) -> str:
    """Start training and send ``sig`` to Snakemake's process group once the checkpoint of ``after_epoch`` exists.

    Returns the terminal output. SIGINT is what Ctrl-C sends, to every process of the
    group; SIGKILL is a machine going down: nothing gets to clean up.
    """
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", "test-config.yaml", "--until", "train", *extra]
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
    while not (workdir / CHECKPOINT).exists() or checkpoint_epoch(workdir) < after_epoch:
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


@pytest.fixture(scope="module")
def prepared(small_data, tmp_path_factory):
    """A workflow copy with its data prepared."""
    workdir = copy_workflow(tmp_path_factory.mktemp("prepared") / "digitnet")
    write_config(workdir, {**RESUME_CONFIG, "data_dir": str(small_data)})
    snakemake(workdir, "--until", "prepare_data")
    return workdir


@pytest.fixture(scope="module")
def interrupted_once(prepared, tmp_path_factory):
    """A copy of ``prepared`` whose training was stopped by Ctrl-C after epoch 3; and the terminal output."""
    workdir = tmp_path_factory.mktemp("interrupted") / "digitnet"
    shutil.copytree(prepared, workdir, symlinks=True)
    return workdir, interrupt_training(workdir, signal.SIGINT)


@pytest.fixture
def interrupted(interrupted_once, tmp_path):
    """A private copy of ``interrupted_once`` to rerun."""
    workdir, output = interrupted_once
    shutil.copytree(workdir, tmp_path / "digitnet", symlinks=True)
    return tmp_path / "digitnet", output


def checkpoint_epoch(workdir) -> int:
    with np.load(workdir / CHECKPOINT) as checkpoint:
        return int(checkpoint["epoch"])


def test_ctrl_c_prints_one_line_and_leaves_no_weights_but_a_checkpoint(interrupted):
    workdir, output = interrupted
    assert "interrupted: the unfinished outputs of this step were removed; rerun the same snakemake command to continue" in output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
    assert not [p for p in (workdir / FEATURED).glob("*") if p.is_file()]
    assert 3 <= checkpoint_epoch(workdir) < RESUME_CONFIG["train"]["epochs"]


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


def test_training_killed_with_its_machine_resumes_after_unlocking_and_ends_byte_identical(prepared, uninterrupted, tmp_path):
    workdir = tmp_path / "digitnet"
    shutil.copytree(prepared, workdir, symlinks=True)
    interrupt_training(workdir, signal.SIGKILL)
    epoch = checkpoint_epoch(workdir)
    locked = snakemake(workdir, "--until", "train", check=False)
    assert locked.returncode != 0 and "the remaining lock was likely caused by a kill signal" in locked.stderr
    snakemake(workdir, "--unlock")
    snakemake(workdir, "--until", "train")
    assert f"resuming from {CHECKPOINT}: epoch {epoch} of 10 was the last finished" in (workdir / LOG).read_text()
    assert weights_checksum(workdir) == uninterrupted


def test_a_checkpoint_made_with_other_settings_is_not_used(interrupted, small_data):
    workdir, _ = interrupted
    write_config(workdir, {**RESUME_CONFIG, "data_dir": str(small_data), "train": {**RESUME_CONFIG["train"], "lr": 0.001}})
    snakemake(workdir, "--until", "train")
    log = (workdir / LOG).read_text()
    assert f"{CHECKPOINT} was made with other data, settings or code: not used; training starts at epoch 1" in log
    assert "resuming from" not in log and "epoch  1/10" in log
    assert not (workdir / "results/checkpoints").exists()


def test_a_forced_retraining_stopped_half_way_is_continued_by_a_plain_rerun(prepared, uninterrupted, tmp_path):
    workdir = tmp_path / "digitnet"
    shutil.copytree(prepared, workdir, symlinks=True)
    snakemake(workdir, "--until", "train")
    output = interrupt_training(workdir, signal.SIGINT, extra=("--forcerun", f"{FEATURED}/weights.npz"))
    assert "rerun the same snakemake command to continue" in output
    assert not (workdir / FEATURED / "weights.npz").exists()
    epoch = checkpoint_epoch(workdir)
    snakemake(workdir, "--until", "train")  # without --forcerun
    assert f"resuming from {CHECKPOINT}: epoch {epoch} of 10 was the last finished" in (workdir / LOG).read_text()
    assert weights_checksum(workdir) == uninterrupted
