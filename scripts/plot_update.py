"""Step: draw the update figure of the traced training step (rule plot_update)."""

from digitnet.step import run_step, save_figure
from digitnet.trace import load_trace
from digitnet.viz.update import update_figure


def main(log) -> None:
    save_figure(update_figure(load_trace(snakemake.input.trace)), snakemake.output[0])


run_step(snakemake, main)
