"""Step: draw the most confident mistakes on the test set (rule plot_mistakes)."""

from digitnet.files import read_npz, read_table
from digitnet.step import run_step, save_figure
from digitnet.viz.predictions import mistakes_figure


def main(log) -> None:
    predictions = read_table(snakemake.input.predictions, columns=("index", "label", "predicted", "confidence"))
    wrong = predictions[predictions["label"] != predictions["predicted"]]
    worst = wrong.sort_values("confidence", ascending=False).head(24)
    images = read_npz(snakemake.input.test, required=("X",))["X"][worst["index"].to_numpy()]
    figure = mistakes_figure(
        images,
        worst["label"].to_numpy(),
        worst["predicted"].to_numpy(),
        worst["confidence"].to_numpy(),
        len(wrong),
        snakemake.params.class_names,
    )
    save_figure(figure, snakemake.output[0])


run_step(snakemake, main)
