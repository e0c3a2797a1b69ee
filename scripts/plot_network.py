"""Step: draw the network's architecture, and what its first layer (or every convolution) looks
for, from the trained model (rule plot_network)."""

from digitnet.model import load_model
from digitnet.step import run_step, save_figure
from digitnet.viz.architecture import architecture_figure
from digitnet.viz.filters import conv_filters, first_layer_filters


def main(log) -> None:
    model = load_model(snakemake.input.weights)
    save_figure(architecture_figure(model), snakemake.output.architecture)
    layers = model.weighted_layers()
    # A convolution's filters are small images; a dense layer's columns are 28 x 28 ones.
    convolutions = [layer.W.value for layer in layers if layer.W.value.ndim == 4]
    figure = conv_filters(convolutions) if convolutions else first_layer_filters(layers[0].W.value)
    save_figure(figure, snakemake.output.filters)


run_step(snakemake, main)
