"""The default configuration on all of the real MNIST: the accuracy the results promise."""

import json

import pandas as pd

from conftest import FEATURED


def test_default_config_on_full_mnist_reaches_at_least_97_5_percent(full_run):
    workdir = full_run
    metrics = json.loads((workdir / FEATURED / "metrics.json").read_text())
    meta = json.loads((workdir / FEATURED / "model.json").read_text())
    assert metrics["test_images"] == 10000
    assert meta["data"]["train_images"] == 55000 and meta["data"]["validation_images"] == 5000
    assert metrics["test_accuracy"] >= 0.975, metrics["test_accuracy"]
    timing = pd.read_csv(workdir / "benchmarks/train/mnist/mlp128.tsv", sep="\t")
    seconds, peak = timing["s"][0], timing["max_rss"][0]
    print(f"full run: test accuracy {metrics['test_accuracy']:.2%}; train step {seconds:.1f} s, peak {peak:.0f} MB")
    assert "report.html" in {p.name for p in workdir.iterdir()}
