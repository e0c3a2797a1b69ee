"""Step: train the network on the prepared data (rule train), resuming from a checkpoint if one fits."""

import math
import os
import platform
import time
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

import digitnet
from digitnet.augment import AugmentSettings, augment_batch
from digitnet.checkpoint import checkpoint_key, load_checkpoint, remove_checkpoint, save_checkpoint
from digitnet.files import read_npz
from digitnet.model import model_from_config, save_model
from digitnet.nn.optimizers import make_optimizer
from digitnet.nn.schedules import make_schedule
from digitnet.step import atomic_path, run_step, write_csv, write_json
from digitnet.train import FitSettings, fit, format_epoch, history_rows


def main(log) -> None:
    model_cfg, train_cfg = snakemake.params.model, snakemake.params.train
    train = read_npz(snakemake.input.train, required=("X", "y"))
    val = read_npz(snakemake.input.val, required=("X", "y"))
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

    checkpoint = snakemake.params.checkpoint
    key = checkpoint_key(
        [snakemake.input.train, snakemake.input.val], {"model": model_cfg, "train": train_cfg}, Path(digitnet.__file__).parent
    )
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

    with atomic_path(snakemake.output.weights) as tmp:
        save_model(model, tmp)
    write_csv(pd.DataFrame(history_rows(history)), snakemake.output.history)
    write_csv(pd.DataFrame({"step": np.arange(len(batch_losses)), "loss": batch_losses}), snakemake.output.batch_losses)
    write_json(
        {
            "architecture": {
                "sizes": "-".join(str(n) for n in [X.shape[1], *model_cfg["hidden"], 10]),
                "layers": model.spec(),
                "summary": repr(model),
                "parameters": model.n_parameters(),
            },
            "hyper_parameters": {"model": model_cfg, "train": train_cfg},
            "data": {"train_images": int(len(X)), "validation_images": int(len(X_val)), "train_file": snakemake.input.train},
            # train_seconds counts this run only; resumed_from_epoch says how many epochs an earlier one did.
            "metrics": {"final": history_rows(history)[-1], "train_seconds": seconds},
            "resumed_from_epoch": resume.epoch if resume is not None else 0,
            # Set by the workflow for its jobs (workflow/rules/common.smk): how this model was made.
            "command": os.environ.get("DIGITNET_COMMAND"),
            "versions": {"digitnet": digitnet.__version__, "numpy": np.__version__, "python": platform.python_version()},
        },
        snakemake.output.meta,
    )
    remove_checkpoint(checkpoint)


run_step(snakemake, main)
