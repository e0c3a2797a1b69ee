"""Step: draw the forward, backward and update figures of the traced training step (rule plot_step)."""

from digitnet.step import run_step, save_figure
from digitnet.trace import load_trace
from digitnet.viz.backward import backward_figure
from digitnet.viz.forward import forward_figure
from digitnet.viz.update import update_figure


def main(log) -> None:
    trace = load_trace(snakemake.input.trace)
    save_figure(forward_figure(trace), snakemake.output.forward)
    save_figure(backward_figure(trace), snakemake.output.backward)
    save_figure(update_figure(trace), snakemake.output.weight_update)


run_step(snakemake, main)
