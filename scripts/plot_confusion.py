"""Step: draw the test set's confusion matrix (rule plot_confusion)."""

import json

import numpy as np
from digitnet.step import atomic_path, run_step
from digitnet.viz.confusion import confusion_figure


def main(log) -> None:
    metrics = json.loads(open(snakemake.input.metrics).read())
    with atomic_path(snakemake.output[0]) as tmp:
        confusion_figure(np.array(metrics["confusion_matrix"]), metrics["test_accuracy"]).savefig(tmp, format="png")
    log.info(f"wrote {snakemake.output[0]}")


run_step(snakemake, main)
