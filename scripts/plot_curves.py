"""Step: draw the training curves from the training history (rule plot_curves)."""

from digitnet.files import read_table
from digitnet.step import run_step, save_figure
from digitnet.viz.curves import training_curves


def main(log) -> None:
    history = read_table(snakemake.input.history, columns=("epoch", "train_loss", "val_loss", "train_acc", "val_acc"))
    batch_losses = read_table(snakemake.input.batch_losses, columns=("loss",))["loss"].to_numpy()
    save_figure(training_curves(history, batch_losses), snakemake.output[0])


run_step(snakemake, main)
