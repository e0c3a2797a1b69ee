"""Step: draw training digits next to augmented versions of them (rule plot_augmented)."""

import numpy as np

from digitnet.augment import AugmentSettings
from digitnet.files import read_npz
from digitnet.step import run_step, save_figure
from digitnet.viz.augmented import augmented_digits


def main(log) -> None:
    augment = dict(snakemake.params.augment)
    enabled = augment.pop("enabled")
    rng = np.random.default_rng(snakemake.params.seed)
    train = read_npz(snakemake.input.train, required=("X", "y"))
    figure = augmented_digits(train["X"], train["y"], AugmentSettings(**augment), enabled, rng)
    save_figure(figure, snakemake.output[0])


run_step(snakemake, main)
