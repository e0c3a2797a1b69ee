"""Step: draw the training curves from the training history (rule plot_curves)."""

import pandas as pd
from digitnet.step import atomic_path, run_step
from digitnet.viz.curves import training_curves


def main(log) -> None:
    history = pd.read_csv(snakemake.input.history)
    batch_losses = pd.read_csv(snakemake.input.batch_losses)["loss"].to_numpy()
    with atomic_path(snakemake.output[0]) as tmp:
        training_curves(history, batch_losses).savefig(tmp, format="png")
    log.info(f"wrote {snakemake.output[0]}")


run_step(snakemake, main)
