"""Step: draw the test set's confusion matrix (rule plot_confusion)."""

import json

import numpy as np

from digitnet.step import run_step, save_figure
from digitnet.viz.confusion import confusion_figure


def main(log) -> None:
    metrics = json.loads(open(snakemake.input.metrics).read())
    save_figure(confusion_figure(np.array(metrics["confusion_matrix"]), metrics["test_accuracy"]), snakemake.output[0])


run_step(snakemake, main)
