"""Step: teach the reading network the folder's labelled handwriting, and measure it (rule finetune)."""

import copy
from pathlib import Path

import numpy as np
import pandas as pd

from digitnet.checkpoint import checkpoint_key, load_checkpoint, remove_checkpoint, save_checkpoint
from digitnet.custom import group_of
from digitnet.files import read_npz
from digitnet.finetune import MIN_LABELLED, FinetuneSettings, cross_validate, labelled_digits, layer_changes, summary, tuning
from digitnet.model import load_model, save_model
from digitnet.reading import read_folder
from digitnet.step import atomic_path, run_step, write_csv, write_json
from digitnet.train import fit, format_epoch, history_rows


def accuracy(model, data) -> float:
    return float((model.predict_proba(data["X"]).argmax(axis=1) == data["y"]).mean())


def main(log) -> None:
    custom, names, labels = snakemake.params.custom, snakemake.params.names, snakemake.params.labels
    settings = FinetuneSettings(**{k: v for k, v in snakemake.params.finetune.items() if k != "enabled"})
    folder = read_folder(
        Path(custom["folder"]), names, custom["mode"], custom["max_megapixels"], Path(snakemake.params.cache),
        workers=snakemake.threads, log=log, weights=Path(snakemake.input.weights), max_pieces=custom["max_pieces"],
        shelf=snakemake.params.shelf, prune=False,
    )
    digits = labelled_digits(folder.readings, names, labels, [group_of(name) for name in names])
    base = load_model(snakemake.input.weights)
    train, test = read_npz(snakemake.input.train, required=("X", "y")), read_npz(snakemake.input.test, required=("X", "y"))
    record = {"base": snakemake.params.base, "settings": vars(settings), "labelled": len(digits.files), "writers": sorted(set(digits.writers)), "mnist_before": accuracy(base, test)}
    tuned = copy.deepcopy(base)
    history, losses = [], np.zeros(0, np.float32)
    if len(digits.files) < MIN_LABELLED:
        record["skipped"] = (
            f"only {len(digits.files)} labelled digits: fine-tuning needs at least {MIN_LABELLED} to learn from and to be "
            "measured on; label more images (a digit ending the file name, or labels.csv). The network is kept as it was."
        )
        log.info(record["skipped"])
    else:
        log.info(f"{len(digits.files)} labelled digits of {len(record['writers'])} writers: cross-validating, then tuning on all")
        record.update(summary(digits, cross_validate(base, digits, train["X"], train["y"], settings)))
        checkpoint = snakemake.params.checkpoint
        key = checkpoint_key([snakemake.input.weights, snakemake.input.train, snakemake.input.folder], {"finetune": vars(settings), "labels": labels}, Path(snakemake.input.code[0]).parent)
        rng = np.random.default_rng(settings.seed)
        optimizer, schedule, X_all, y_all, fit_settings = tuning(tuned, digits.pixels, digits.label, train["X"], train["y"], settings, rng)
        resume = load_checkpoint(checkpoint, key, tuned, optimizer, rng, log)

        def on_epoch(state) -> None:
            log.info(format_epoch(state.history[-1], settings.epochs))
            save_checkpoint(checkpoint, key, tuned, optimizer, rng, state)

        history, losses = fit(tuned, optimizer, schedule, X_all, y_all, digits.pixels, digits.label, fit_settings, rng, on_epoch=on_epoch, resume=resume)
        remove_checkpoint(checkpoint)
    record.update(mnist_after=accuracy(tuned, test), layers=layer_changes(base, tuned))
    log.info(f"MNIST test accuracy {record['mnist_before']:.2%} before, {record['mnist_after']:.2%} after")
    with atomic_path(snakemake.output.weights) as tmp:
        save_model(tuned, tmp)
    write_csv(pd.DataFrame(history_rows(history) if history else {"epoch": []}), snakemake.output.history)
    write_csv(pd.DataFrame({"step": np.arange(len(losses)), "loss": losses}), snakemake.output.batch_losses)
    with atomic_path(snakemake.output.digits) as tmp, open(tmp, "wb") as f:
        first = np.array([np.flatnonzero(digits.image == i)[0] for i in range(len(digits.files))], np.int64)
        np.savez(f, pixels=digits.pixels[first] if len(first) else np.zeros((0, 784), np.float32))
    write_json(record, snakemake.output.summary)


run_step(snakemake, main)
