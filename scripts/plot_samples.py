"""Step: draw a grid of training digits, one row per class (rule plot_samples)."""

import numpy as np

from digitnet.step import run_step, save_figure
from digitnet.viz.samples import sample_digits


def main(log) -> None:
    with np.load(snakemake.input.train) as train:
        save_figure(sample_digits(train["X"], train["y"], class_names=snakemake.params.class_names), snakemake.output[0])


run_step(snakemake, main)
