"""Step: draw each convolution layer's feature maps for the configured test digit (rule plot_feature_maps)."""

from digitnet.configcheck import check_index
from digitnet.files import read_npz
from digitnet.model import load_model
from digitnet.step import run_step, save_figure
from digitnet.viz.feature_maps import feature_maps_figure


def main(log) -> None:
    model = load_model(snakemake.input.weights)
    test = read_npz(snakemake.input.test, required=("X", "y"))
    digit = check_index("figures.digit", snakemake.params.digit, len(test["y"]), "test set")
    x, label = test["X"][digit], int(test["y"][digit])
    outputs: list = []
    model.forward(x[None, :], trace=outputs)
    maps = []
    for position, (layer, out) in enumerate(outputs):
        if layer.role == "weights" and out.ndim == 4:
            # Show the maps after the activation that follows, when there is one.
            shown = outputs[position + 1][1] if model.activation_after(position) else out
            maps.append((layer.name, shown[0]))
    save_figure(feature_maps_figure(x, label, digit, maps), snakemake.output[0])


run_step(snakemake, main)
