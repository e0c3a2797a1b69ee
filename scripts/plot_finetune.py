"""Step: draw what fine-tuning did (rule plot_finetune)."""

from digitnet.files import read_json, read_npz, read_table
from digitnet.step import run_step, save_figure
from digitnet.viz.finetune import finetune_figure


def main(log) -> None:
    losses = read_table(snakemake.input.batch_losses, columns=("loss",))["loss"].to_numpy()
    pixels = read_npz(snakemake.input.digits, required=("pixels",))["pixels"]
    save_figure(finetune_figure(read_json(snakemake.input.summary), losses, pixels), snakemake.output[0])


run_step(snakemake, main)
