"""Step: draw what the first layer (or every convolution) looks for (rule plot_filters)."""

from digitnet.model import load_model
from digitnet.step import run_step, save_figure
from digitnet.viz.filters import conv_filters, first_layer_filters


def main(log) -> None:
    layers = load_model(snakemake.input.weights).weighted_layers()
    # A convolution's filters are small images; a dense layer's columns are 28 x 28 ones.
    convolutions = [layer.W.value for layer in layers if layer.W.value.ndim == 4]
    figure = conv_filters(convolutions) if convolutions else first_layer_filters(layers[0].W.value)
    save_figure(figure, snakemake.output[0])


run_step(snakemake, main)
