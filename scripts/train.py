"""Step: train the network on the prepared data (rule train), resuming from a checkpoint if one fits."""

import numpy as np
import pandas as pd

from digitnet.checkpoint import remove_checkpoint
from digitnet.model import save_model
from digitnet.step import atomic_path, run_step, write_csv, write_json
from digitnet.train import history_rows
from digitnet.training_run import run_record, train_model


def main(log) -> None:
    model_cfg, train_cfg = snakemake.params.model, snakemake.params.train
    run = train_model(model_cfg, train_cfg, snakemake.input.train, snakemake.input.val, snakemake.params.checkpoint, log)
    with atomic_path(snakemake.output.weights) as tmp:
        save_model(run.model, tmp)
    write_csv(pd.DataFrame(history_rows(run.history)), snakemake.output.history)
    write_csv(pd.DataFrame({"step": np.arange(len(run.batch_losses)), "loss": run.batch_losses}), snakemake.output.batch_losses)
    write_json(run_record(run, model_cfg, train_cfg, snakemake.input.train), snakemake.output.meta)
    remove_checkpoint(snakemake.params.checkpoint)


run_step(snakemake, main)
