"""One model trained from its settings, as the workflow's train step does: the network, optimizer,
schedule and augmentation its ``model`` and ``train`` settings name, a checkpoint after every
epoch to resume from, and what the run records about itself.

The mini-batch loop itself is digitnet.train's ``fit``; this module composes it.
"""

import math
import os
import platform
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

import digitnet
from digitnet.augment import AugmentSettings, augment_batch
from digitnet.checkpoint import checkpoint_key, load_checkpoint, save_checkpoint
from digitnet.files import read_npz
from digitnet.model import model_from_config
from digitnet.nn.optimizers import make_optimizer
from digitnet.nn.schedules import make_schedule
from digitnet.train import FitSettings, fit, format_epoch, history_rows


@dataclass
class TrainingRun:
    """A finished training: the model, its history (one entry per epoch), every batch's loss,
    the seconds this run took, the epoch it resumed after (0: from the start), the data sizes."""

    model: object
    history: list
    batch_losses: list
    seconds: float
    resumed_from_epoch: int
    train_images: int
    validation_images: int
    n_inputs: int


def train_model(model_cfg: dict, train_cfg: dict, train_path: str, val_path: str, checkpoint: str, log) -> TrainingRun:
    """Train a model on the prepared data in ``train_path`` and ``val_path`` (X (N, 784), y (N,)).

    Randomness comes from one generator seeded by train.seed (initialization, shuffling,
    dropout, augmentation). After every epoch the state goes to ``checkpoint``; a checkpoint
    made with the same data, settings and library code is resumed from, so an interrupted run
    continues and ends with the same weights.
    """
    train = read_npz(train_path, required=("X", "y"))
    val = read_npz(val_path, required=("X", "y"))
    X, y, X_val, y_val = train["X"], train["y"], val["X"], val["y"]
    rng = np.random.default_rng(train_cfg["seed"])
    model = model_from_config(model_cfg, X.shape[1], 10, rng)
    optimizer = make_optimizer(model.parameters(), train_cfg)
    epochs, batch_size = train_cfg["epochs"], train_cfg["batch_size"]
    schedule = make_schedule(train_cfg["schedule"], train_cfg["lr"], math.ceil(len(X) / batch_size), epochs)
    log.info(
        f"{model}: {model.n_parameters():,} parameters; {optimizer}, lr {train_cfg['lr']}, "
        f"{train_cfg['schedule']['name']} schedule, batch {batch_size}, {epochs} epochs on {len(X):,} images"
    )
    augment = None
    if train_cfg["augment"]["enabled"]:
        augment_settings = AugmentSettings(**{k: v for k, v in train_cfg["augment"].items() if k != "enabled"})
        log.info(f"augmenting every batch: {augment_settings}")
        augment = partial(augment_batch, settings=augment_settings)
    settings = FitSettings(epochs=epochs, batch_size=batch_size, l2=train_cfg["l2"], augment=augment)
    key = checkpoint_key([train_path, val_path], {"model": model_cfg, "train": train_cfg}, Path(digitnet.__file__).parent)
    resume = load_checkpoint(checkpoint, key, model, optimizer, rng, log)
    if resume is not None:
        log.info(f"resuming from {checkpoint}: epoch {resume.epoch} of {epochs} was the last finished")

    def on_epoch(state) -> None:
        log.info(format_epoch(state.history[-1], epochs))
        save_checkpoint(checkpoint, key, model, optimizer, rng, state)

    started = time.perf_counter()
    history, batch_losses = fit(model, optimizer, schedule, X, y, X_val, y_val, settings, rng, on_epoch=on_epoch, resume=resume)
    seconds = time.perf_counter() - started
    log.info(f"trained in {seconds:.1f} s; validation accuracy {history[-1].val_acc:.2%}")
    return TrainingRun(model, history, batch_losses, seconds, resume.epoch if resume is not None else 0, len(X), len(X_val), X.shape[1])


def run_record(run: TrainingRun, model_cfg: dict, train_cfg: dict, train_path: str) -> dict:
    """What a training records about itself (model.json): architecture, settings, data sizes,
    final metrics and seconds (this run only), the command that made it, and versions."""
    return {
        "architecture": {
            "sizes": "-".join(str(n) for n in [run.n_inputs, *model_cfg["hidden"], 10]),
            "layers": run.model.spec(),
            "summary": repr(run.model),
            "parameters": run.model.n_parameters(),
        },
        "hyper_parameters": {"model": model_cfg, "train": train_cfg},
        "data": {"train_images": run.train_images, "validation_images": run.validation_images, "train_file": train_path},
        # train_seconds counts this run only; resumed_from_epoch says how many epochs an earlier one did.
        "metrics": {"final": history_rows(run.history)[-1], "train_seconds": run.seconds},
        "resumed_from_epoch": run.resumed_from_epoch,
        # Set by the workflow for its jobs (workflow/rules/common.smk): how this model was made.
        "command": os.environ.get("DIGITNET_COMMAND"),
        "versions": {"digitnet": digitnet.__version__, "numpy": np.__version__, "python": platform.python_version()},
    }
