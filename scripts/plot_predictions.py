"""Step: draw predictions on test digits and one digit's probabilities (rule plot_predictions)."""

from digitnet.configcheck import check_index
from digitnet.files import read_npz, read_table
from digitnet.step import run_step, save_figure
from digitnet.viz.predictions import choose_examples, predictions_figure


def main(log) -> None:
    predictions = read_table(snakemake.input.predictions, columns=("label", "predicted", "confidence"))
    labels, predicted = predictions["label"].to_numpy(), predictions["predicted"].to_numpy()
    chosen = choose_examples(labels, predicted, count=40, mistakes=6)
    digit = check_index("figures.digit", snakemake.params.digit, len(predictions), "test set")
    P_digit = predictions.loc[digit, [f"p{k}" for k in range(10)]].to_numpy(dtype=float)
    images = read_npz(snakemake.input.test, required=("X",))["X"][chosen]
    figure = predictions_figure(
        images,
        labels[chosen],
        predicted[chosen],
        predictions["confidence"].to_numpy()[chosen],
        digit,
        P_digit,
        snakemake.params.class_names,
    )
    save_figure(figure, snakemake.output[0])


run_step(snakemake, main)
