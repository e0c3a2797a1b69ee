"""Step: draw a grid of training digits, one row per class (rule plot_samples)."""

from digitnet.files import read_npz
from digitnet.step import run_step, save_figure
from digitnet.viz.samples import sample_digits


def main(log) -> None:
    train = read_npz(snakemake.input.train, required=("X", "y"))
    save_figure(sample_digits(train["X"], train["y"], class_names=snakemake.params.class_names), snakemake.output[0])


run_step(snakemake, main)
