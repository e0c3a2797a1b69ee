"""Step: draw each convolution layer's feature maps for the configured test digit (rule plot_feature_maps)."""

from digitnet.configcheck import check_index
from digitnet.files import read_npz
from digitnet.model import load_model
from digitnet.nn.activations import ACTIVATIONS
from digitnet.nn.conv import Conv2D
from digitnet.step import run_step, save_figure
from digitnet.viz.feature_maps import feature_maps_figure


def main(log) -> None:
    model = load_model(snakemake.input.weights)
    test = read_npz(snakemake.input.test, required=("X", "y"))
    digit = check_index("figures.digit", snakemake.params.digit, len(test["y"]), "test set")
    x, label = test["X"][digit], int(test["y"][digit])
    trace: list = []
    model.forward(x[None, :], trace=trace)
    maps = []
    for position, (layer, out) in enumerate(trace):
        if isinstance(layer, Conv2D):
            # Show the maps after the activation that follows, when there is one.
            after = trace[position + 1] if position + 1 < len(trace) else None
            shown = after[1] if after is not None and type(after[0]) in ACTIVATIONS.values() else out
            maps.append((layer.name, shown[0]))
    save_figure(feature_maps_figure(x, label, digit, maps), snakemake.output[0])


run_step(snakemake, main)
