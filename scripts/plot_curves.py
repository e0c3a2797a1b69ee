"""Step: draw the training curves from the training history (rule plot_curves)."""

import pandas as pd

from digitnet.step import run_step, save_figure
from digitnet.viz.curves import training_curves


def main(log) -> None:
    history = pd.read_csv(snakemake.input.history)
    batch_losses = pd.read_csv(snakemake.input.batch_losses)["loss"].to_numpy()
    save_figure(training_curves(history, batch_losses), snakemake.output[0])


run_step(snakemake, main)
