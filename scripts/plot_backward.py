"""Step: draw the backward figure of the traced training step (rule plot_backward)."""

from digitnet.step import run_step, save_figure
from digitnet.trace import load_trace
from digitnet.viz.backward import backward_figure


def main(log) -> None:
    save_figure(backward_figure(load_trace(snakemake.input.trace)), snakemake.output[0])


run_step(snakemake, main)
