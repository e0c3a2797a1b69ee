"""Step: draw the test set's confusion matrix (rule plot_confusion)."""

import numpy as np

from digitnet.data.classes import CLASS_NAMES
from digitnet.files import read_json
from digitnet.step import run_step, save_figure
from digitnet.viz.confusion import confusion_figure


def main(log) -> None:
    metrics = read_json(snakemake.input.metrics)
    names = CLASS_NAMES[snakemake.wildcards.dataset]
    save_figure(confusion_figure(np.array(metrics["confusion_matrix"]), metrics["test_accuracy"], names), snakemake.output[0])


run_step(snakemake, main)
