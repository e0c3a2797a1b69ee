"""Step: draw the first layer's weights as 28 x 28 images (rule plot_filters)."""

from digitnet.model import load_model
from digitnet.step import run_step, save_figure
from digitnet.viz.filters import first_layer_filters


def main(log) -> None:
    first = load_model(snakemake.input.weights).dense_layers()[0]
    save_figure(first_layer_filters(first.W.value), snakemake.output[0])


run_step(snakemake, main)
