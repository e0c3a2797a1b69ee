"""Step: draw the network's architecture from the trained model (rule plot_architecture)."""

from digitnet.model import load_model
from digitnet.step import run_step, save_figure
from digitnet.viz.architecture import architecture_figure


def main(log) -> None:
    save_figure(architecture_figure(load_model(snakemake.input.weights)), snakemake.output[0])


run_step(snakemake, main)
