"""Step: draw the first layer's weights as 28 x 28 images (rule plot_filters)."""

from digitnet.model import load_model
from digitnet.step import run_step, save_figure
from digitnet.viz.filters import conv_filters, first_layer_filters


def main(log) -> None:
    first = load_model(snakemake.input.weights).weighted_layers()[0]
    # A convolution's filters are small images; a dense layer's columns are 28 x 28 ones.
    figure = conv_filters(first.W.value) if first.W.value.ndim == 4 else first_layer_filters(first.W.value)
    save_figure(figure, snakemake.output[0])


run_step(snakemake, main)
