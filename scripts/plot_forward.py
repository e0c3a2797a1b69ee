"""Step: draw the forward figure of the traced training step (rule plot_forward)."""

from digitnet.step import run_step, save_figure
from digitnet.trace import load_trace
from digitnet.viz.forward import forward_figure


def main(log) -> None:
    save_figure(forward_figure(load_trace(snakemake.input.trace)), snakemake.output[0])


run_step(snakemake, main)
